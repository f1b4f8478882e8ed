/**
 * Attacks on a WebSocket connection's identity and time, over real sockets (ws and socket.io, Express and Fastify):
 * a token in a message payload changes no caller, a socket.io reconnect with another `auth` is verified again, a
 * message sent after the token expired is refused even when the expiry timer has not fired, and no refusal (close
 * reason, `exception` data, `connect_error`) carries the token.
 */
import { EndpointsAuthIoAdapter } from 'nestjs-endpoints-auth/socket.io';
import { EndpointsAuthWsAdapter } from 'nestjs-endpoints-auth/ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, startAppWith } from '../support/app.js';
import { claims, nowSeconds, signJwt } from '../support/keys.js';
import { ManualClock } from '../support/manual-clock.js';
import { type IoClient, connectIo, connectWs } from '../websockets/clients.js';
import { type Runs, gatewayApp } from '../websockets/gateways.js';

/** A clock whose timers never fire: time moves, but the connection's expiry timer stays pending. */
class StuckTimerClock extends ManualClock {
  override schedule(): () => void {
    return () => undefined;
  }
}

describe.each(ADAPTERS)('a WebSocket connection’s caller (%s)', (adapter) => {
  let issuers: Issuers;
  const apps = new Apps();
  const ioClients: IoClient[] = [];

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterEach(async () => {
    ioClients.splice(0).forEach((client) => client.socket.close());
    await apps.closeAll();
  });
  afterAll(() => issuers.server.stop());

  const alpha = (overrides: Record<string, unknown> = {}) => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', overrides));

  async function bootWs(clock = new ManualClock()) {
    const runs: Runs = {};
    const module = gatewayApp(issuers, (name) => ({ path: `/${name}` }), runs);
    const { url } = apps.track(await startAppWith(module, adapter, { keyClock: clock, configure: (app) => app.useWebSocketAdapter(new EndpointsAuthWsAdapter(app)) }));
    return { runs, at: (path: string) => `${url.replace(/^http/, 'ws')}${path}` };
  }

  async function bootIo(clock = new ManualClock()) {
    const runs: Runs = {};
    const module = gatewayApp(issuers, (name) => ({ namespace: name }), runs);
    const { url } = apps.track(await startAppWith(module, adapter, { keyClock: clock, configure: (app) => app.useWebSocketAdapter(new EndpointsAuthIoAdapter(app)) }));
    return { runs, at: (namespace: string) => `${url}/${namespace}` };
  }

  it('ws: a token in a message payload is no caller; the handshake’s stays', async () => {
    const { at, runs } = await bootWs();
    const anonymous = await connectWs(at('/open'));
    const other = alpha({ sub: 'payload-user' });
    expect(await anonymous.client.ask('whoami', { authorization: `Bearer ${other}`, access_token: other, headers: bearer(other) })).toEqual({
      event: 'exception',
      data: { status: 'error', message: 'Jwt is missing', errorCode: 'MISSING_TOKEN' },
    });
    const signedIn = await connectWs(at('/secured'), bearer(alpha({ sub: 'handshake-user' })));
    expect(await signedIn.client.ask('whoami', { authorization: `Bearer ${other}` })).toEqual({ event: 'whoami', data: { sub: 'handshake-user' } });
    expect(runs).toEqual({ 'secured.whoami': 1 });
  });

  it('ws: a message after exp + skew is refused TOKEN_EXPIRED although the expiry timer has not fired', async () => {
    const clock = new StuckTimerClock();
    const { at, runs } = await bootWs(clock);
    const { client } = await connectWs(at('/secured'), bearer(alpha({ exp: nowSeconds() + 120 })));
    expect(await client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'user-1' } });
    clock.advance(182_000);
    expect(await client.ask('whoami')).toEqual({
      event: 'exception',
      data: { status: 'error', message: 'Jwt is expired', errorCode: 'TOKEN_EXPIRED' },
    });
    expect(runs).toEqual({ 'secured.whoami': 1 });
  });

  it('socket.io: a message after exp + skew is refused although the timer has not fired; a reconnect with another auth is a new caller', async () => {
    const clock = new StuckTimerClock();
    const { at, runs } = await bootIo(clock);
    const first = await connectIo(at('secured'), { auth: { token: alpha({ sub: 'first', exp: nowSeconds() + 120 }) } });
    if (!('client' in first)) throw new Error(`refused: ${first.error.message}`);
    ioClients.push(first.client);
    expect(await first.client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'first' } });
    clock.advance(182_000);
    expect(await first.client.ask('whoami')).toEqual({
      event: 'exception',
      data: { status: 'error', message: 'Jwt is expired', errorCode: 'TOKEN_EXPIRED' },
    });
    // socket.io's `auth` is sent again on every (re)connect, and each is a new handshake, verified again.
    first.client.socket.auth = { token: alpha({ sub: 'second' }) };
    first.client.socket.disconnect();
    await new Promise<void>((resolve) => {
      first.client.socket.once('connect', () => resolve());
      first.client.socket.connect();
    });
    expect(await first.client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'second' } });
    first.client.socket.auth = { token: 'not.a.token' };
    first.client.socket.disconnect();
    const refused = await new Promise<Error & { data?: unknown }>((resolve) => {
      first.client.socket.once('connect_error', resolve);
      first.client.socket.connect();
    });
    expect(refused.data).toEqual({ status: 'error', message: 'Jwt header is an invalid Base64url encoded', errorCode: 'INVALID_TOKEN' });
    expect(runs).toEqual({ 'secured.whoami': 2 });
  });

  it('no refusal carries the token: close reasons, exception data and connect_error', async () => {
    const ws = await bootWs();
    const tokens = [
      alpha({ exp: nowSeconds() - 3600, iat: nowSeconds() - 7200 }),
      alpha({ aud: 'someone-else' }),
      `${alpha().slice(0, -4)}AAAA`,
      'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl',
    ];
    const said: string[] = [];
    for (const token of tokens) {
      const { client } = await connectWs(ws.at('/secured'), bearer(token));
      const closed = await client.closed;
      said.push(closed.reason, JSON.stringify(client.messages));
      const open = await connectWs(ws.at('/open'), bearer(token));
      said.push(JSON.stringify(await open.client.ask('whoami')));
      open.client.socket.close();
    }
    const io = await bootIo();
    for (const token of tokens) {
      const outcome = await connectIo(io.at('secured'), { auth: { token } });
      if (!('error' in outcome)) throw new Error('connected');
      said.push(outcome.error.message, JSON.stringify(outcome.error.data));
    }
    expect(said.filter((text) => text.length > 0)).not.toHaveLength(0);
    for (const token of tokens) {
      const [header, payload, signature] = token.split('.');
      for (const part of [header!, payload!, signature!]) expect(said.some((text) => text.includes(part))).toBe(false);
    }
  });
});
