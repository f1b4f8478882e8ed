/**
 * A handshake path is matched against the spec once per path, not once per connection: the handshake asks the memo
 * its connection's messages ask (`RouteRequirements`), so many connections to an undecorated gateway, by whatever
 * spelling of the path, match the spec once between them, and each still gets the spec's answer. Without paths the
 * spec is never matched: the API level applies (ws and socket.io, Express and Fastify).
 */
import { EndpointsAuthIoAdapter } from 'nestjs-endpoints-auth/socket.io';
import { EndpointsAuthWsAdapter } from 'nestjs-endpoints-auth/ws';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { matchSpecPath } from '../../lib/routes/match-spec-path.js';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, startAppWith } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { connectIoAt, connectWsRaw } from '../review-16/raw-clients.js';
import type { IoClient, WsClient } from './clients.js';
import { type Runs, gatewayApp } from './gateways.js';

// Every call is counted; each still returns the real match.
vi.mock('../../lib/routes/match-spec-path.js', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../../lib/routes/match-spec-path.js')>();
  return { ...actual, matchSpecPath: vi.fn(actual.matchSpecPath) };
});

/** The spec matches made since the last `forget()`, as `METHOD path`. */
const matches = () => vi.mocked(matchSpecPath).mock.calls.map(([, method, candidates]) => `${method} ${candidates.join(' ')}`);
const forget = () => vi.mocked(matchSpecPath).mockClear();

/** Paths the servers route to the same gateway: each is the handshake of the served path. */
const WS_SPELLINGS = ['/plain', '/./plain', '/x/../plain', '/plain?room=1'];
const IO_SPELLINGS = ['/socket.io/', '/socket.io/x', '/socket.io//'];

/** No paths: only the API level protects the handshake. */
const API_LEVEL_ONLY = { security: [{ alpha: [] }] };

describe.each(ADAPTERS)('one spec match per handshake path, not per connection (%s)', (adapter) => {
  let issuers: Issuers;
  const apps = new Apps();
  const wsClients: WsClient[] = [];
  const ioClients: IoClient[] = [];

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterEach(async () => {
    wsClients.splice(0).forEach((client) => client.socket.close());
    ioClients.splice(0).forEach((client) => client.socket.close());
    await apps.closeAll();
  });
  afterAll(() => issuers.server.stop());

  const alphaToken = (sub: string) => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', { sub }));

  async function bootWs(spec?: Record<string, unknown>) {
    const runs: Runs = {};
    const module = gatewayApp(issuers, (name) => ({ path: `/${name}` }), runs, spec);
    const { url } = apps.track(await startAppWith(module, adapter, { configure: (app) => app.useWebSocketAdapter(new EndpointsAuthWsAdapter(app)) }));
    forget();
    return { runs, base: `${url.replace(/^http/, 'ws')}/plain` };
  }

  async function bootIo(spec?: Record<string, unknown>) {
    const runs: Runs = {};
    const module = gatewayApp(issuers, (name) => ({ namespace: name }), runs, spec);
    const { url } = apps.track(await startAppWith(module, adapter, { configure: (app) => app.useWebSocketAdapter(new EndpointsAuthIoAdapter(app)) }));
    forget();
    return { runs, namespace: `${url}/plain` };
  }

  /** Each spelling twice: refused without a token (4401), then let in with one and asked who it is. */
  async function connectEveryWs(base: string): Promise<void> {
    for (const [index, spelling] of WS_SPELLINGS.entries()) {
      const refused = await connectWsRaw(base, spelling);
      expect(await refused.closed).toEqual({ code: 4401, reason: 'Jwt is missing' });
      const client = await connectWsRaw(base, spelling, bearer(alphaToken(`ws-${index}`)));
      wsClients.push(client);
      expect(await client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: `ws-${index}` } });
    }
  }

  async function connectEveryIo(namespace: string): Promise<void> {
    for (const [index, spelling] of IO_SPELLINGS.entries()) {
      const refused = await connectIoAt(namespace, spelling);
      expect('error' in refused && refused.error.data).toEqual({ status: 'error', message: 'Jwt is missing', errorCode: 'MISSING_TOKEN' });
      const accepted = await connectIoAt(namespace, spelling, { token: alphaToken(`io-${index}`) });
      if (!('client' in accepted)) throw new Error(`refused: ${accepted.error.message}`);
      ioClients.push(accepted.client);
      expect(await accepted.client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: `io-${index}` } });
    }
  }

  it('ws: every connection to /plain, by any spelling, is held to GET /plain, matched once for them all', async () => {
    const { runs, base } = await bootWs();
    await connectEveryWs(base);
    expect(matches()).toEqual(['GET /plain']);
    expect(runs).toEqual({ 'plain.whoami': WS_SPELLINGS.length });
  });

  it('ws: without paths every connection is held to the API-level security, and the spec is never matched', async () => {
    const { runs, base } = await bootWs(API_LEVEL_ONLY);
    await connectEveryWs(base);
    expect(matches()).toEqual([]);
    expect(runs).toEqual({ 'plain.whoami': WS_SPELLINGS.length });
  });

  it('socket.io: every connection on the engine path is held to GET /socket.io/, matched once for them all', async () => {
    const { runs, namespace } = await bootIo();
    await connectEveryIo(namespace);
    expect(matches()).toEqual(['GET /socket.io/']);
    expect(runs).toEqual({ 'plain.whoami': IO_SPELLINGS.length });
  });

  it('socket.io: without paths every connection is held to the API-level security, and the spec is never matched', async () => {
    const { runs, namespace } = await bootIo(API_LEVEL_ONLY);
    await connectEveryIo(namespace);
    expect(matches()).toEqual([]);
    expect(runs).toEqual({ 'plain.whoami': IO_SPELLINGS.length });
  });
});
