import { EndpointsAuthIoAdapter } from 'nestjs-endpoints-auth/socket.io';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, startAppWith } from '../support/app.js';
import { claims, nowSeconds, signJwt } from '../support/keys.js';
import { ManualClock } from '../support/manual-clock.js';
import { type IoClient, connectIo } from './clients.js';
import { type Runs, gatewayApp } from './gateways.js';

describe.each(ADAPTERS)('socket.io gateways behind EndpointsAuthIoAdapter (%s)', (adapter) => {
  let issuers: Issuers;
  const apps = new Apps();
  const clients: IoClient[] = [];

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterEach(async () => {
    clients.splice(0).forEach((client) => client.socket.close());
    await apps.closeAll();
  });
  afterAll(() => issuers.server.stop());

  const alphaToken = (overrides: Record<string, unknown> = {}) =>
    signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', overrides));
  const expiredToken = () => alphaToken({ exp: nowSeconds() - 3600, iat: nowSeconds() - 7200 });

  async function boot() {
    const runs: Runs = {};
    const clock = new ManualClock();
    const module = gatewayApp(issuers, (name) => ({ namespace: name }), runs);
    const { url } = apps.track(
      await startAppWith(module, adapter, { keyClock: clock, configure: (app) => app.useWebSocketAdapter(new EndpointsAuthIoAdapter(app)) }),
    );
    return { runs, clock, at: (namespace: string) => `${url}/${namespace}` };
  }

  /** A client that must connect. */
  async function connected(url: string, options: Parameters<typeof connectIo>[1] = {}): Promise<IoClient> {
    const outcome = await connectIo(url, options);
    if ('error' in outcome) throw new Error(`expected a connection, got connect_error ${JSON.stringify(outcome.error.data)}`);
    clients.push(outcome.client);
    return outcome.client;
  }

  /** The `connect_error` a refused client gets. */
  async function refused(url: string, options: Parameters<typeof connectIo>[1] = {}) {
    const outcome = await connectIo(url, options);
    if ('client' in outcome) {
      clients.push(outcome.client);
      throw new Error('expected connect_error, got a connection');
    }
    return { message: outcome.error.message, data: outcome.error.data };
  }

  it('refuses a socket without a token, with an expired token or a wrong audience: connect_error with errorCode', async () => {
    const { at, runs } = await boot();
    expect(await refused(at('secured'))).toEqual({
      message: 'Jwt is missing',
      data: { status: 'error', message: 'Jwt is missing', errorCode: 'MISSING_TOKEN' },
    });
    expect(await refused(at('secured'), { auth: { token: expiredToken() } })).toEqual({
      message: 'Jwt is expired',
      data: { status: 'error', message: 'Jwt is expired', errorCode: 'TOKEN_EXPIRED' },
    });
    expect(await refused(at('secured'), { auth: { token: alphaToken({ aud: 'someone-else' }) } })).toEqual({
      message: 'Audiences in Jwt are not allowed',
      data: { status: 'error', message: 'Audiences in Jwt are not allowed', errorCode: 'AUDIENCE_NOT_ALLOWED' },
    });
    expect(runs).toEqual({});
  });

  it('reads the token from auth.token, auth.authorization, auth.access_token, the Authorization header and the query', async () => {
    const { at, runs } = await boot();
    const ways: Parameters<typeof connectIo>[1][] = [
      { auth: { token: alphaToken({ sub: 'u-token' }) } },
      { auth: { authorization: `Bearer ${alphaToken({ sub: 'u-authorization' })}` } },
      { auth: { access_token: alphaToken({ sub: 'u-access' }) } },
      { headers: { authorization: `Bearer ${alphaToken({ sub: 'u-header' })}` } },
      { query: { access_token: alphaToken({ sub: 'u-query' }) } },
    ];
    const subs: unknown[] = [];
    for (const way of ways) subs.push((await (await connected(at('secured'), way)).ask('whoami')).data.sub);
    expect(subs).toEqual(['u-token', 'u-authorization', 'u-access', 'u-header', 'u-query']);
    expect(runs).toEqual({ 'secured.whoami': 5 });
  });

  it('refuses a message whose handler requires another definition with an exception event; the handler never runs', async () => {
    const { at, runs } = await boot();
    const client = await connected(at('secured'), { auth: { token: alphaToken() } });
    expect(await client.ask('beta')).toEqual({
      event: 'exception',
      data: { status: 'error', message: 'Jwt issuer is not configured', errorCode: 'UNKNOWN_ISSUER' },
    });
    expect(await client.ask('ping')).toEqual({ event: 'pong', data: 'ok' });
    expect(runs).toEqual({ 'secured.ping': 1 });
  });

  it('opens a public namespace to anyone and refuses its secured handler per message', async () => {
    const { at, runs } = await boot();
    const anonymous = await connected(at('open'));
    expect(await anonymous.ask('ping')).toEqual({ event: 'pong', data: { sub: null } });
    expect(await anonymous.ask('whoami')).toEqual({
      event: 'exception',
      data: { status: 'error', message: 'Jwt is missing', errorCode: 'MISSING_TOKEN' },
    });
    const expired = await connected(at('open'), { auth: { token: expiredToken() } });
    expect((await expired.ask('whoami')).data).toEqual({ status: 'error', message: 'Jwt is expired', errorCode: 'TOKEN_EXPIRED' });
    const valid = await connected(at('open'), { auth: { token: alphaToken({ sub: 'open-user' }) } });
    expect(await valid.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'open-user' } });
    expect(runs).toEqual({ 'open.ping': 1, 'open.whoami': 1 });
  });

  it('applies what the spec requires of GET /socket.io/ to an undecorated gateway', async () => {
    const { at, runs } = await boot();
    expect((await refused(at('plain'))).data.errorCode).toBe('MISSING_TOKEN');
    const client = await connected(at('plain'), { auth: { token: alphaToken({ sub: 'spec-user' }) } });
    expect(await client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'spec-user' } });
    expect(runs).toEqual({ 'plain.whoami': 1 });
  });

  it('disconnects the socket when its token expires, after an exception event, not before', async () => {
    const { at, clock, runs } = await boot();
    const client = await connected(at('secured'), { auth: { token: alphaToken({ exp: nowSeconds() + 120 }) } });
    clock.advance(120_000);
    expect(await client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'user-1' } });
    clock.advance(62_000);
    expect(await client.disconnected).toBe('io server disconnect');
    expect(client.events.at(-1)).toEqual({
      event: 'exception',
      data: { status: 'error', message: 'Jwt is expired', errorCode: 'TOKEN_EXPIRED' },
    });
    expect(runs).toEqual({ 'secured.whoami': 1 });
  });
});
