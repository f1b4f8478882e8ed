/**
 * Attacks on graphql-ws subscriptions (Apollo, Express), over real sockets: `connectionParams` tokens of the wrong
 * type, a token past `maxTokenBytes`, a reconnect with another token, a public subscription started after the expiry of
 * a kept connection, and close reasons and logs that never carry the token.
 */
import { Logger } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { Apps } from '../support/app.js';
import { claims, nowSeconds, signJwt } from '../support/keys.js';
import { WsClient, subscriptionStarter } from '../graphql/subscription-kit.js';

const ACK = { type: 'connection_ack' };

describe('graphql-ws subscriptions under attack', () => {
  let issuers: Issuers;
  const apps = new Apps();
  const clients: WsClient[] = [];
  const alpha = (overrides: Record<string, unknown> = {}) => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', overrides));

  const start = subscriptionStarter(apps, clients, () => issuers);

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterEach(() => {
    vi.useRealTimers();
    clients.splice(0).forEach((client) => client.close());
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  it.each([
    ['a number', { Authorization: 42 }],
    ['an object', { Authorization: { Bearer: 'x' } }],
    ['an array', { Authorization: ['Bearer x'], access_token: ['x'] }],
    ['null', { authorization: null, access_token: null }],
    ['a blank bearer', { Authorization: 'Bearer    ' }],
  ])('closes a connection whose token is %s with 4401 "Jwt is missing"', async (_kind, params) => {
    const { connect } = await start();
    const client = await connect(params);
    expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is missing' });
    expect(client.frames).toEqual([]);
  });

  it('closes a connection whose token is past maxTokenBytes as not a JWT, without echoing it', async () => {
    const { connect } = await start();
    const huge = alpha({ padding: 'x'.repeat(20_000) });
    const client = await connect({ access_token: huge });
    const closed = await client.closed;
    expect(closed.code).toBe(4401);
    expect(closed.reason.length).toBeLessThanOrEqual(123);
    expect(closed.reason).not.toContain(huge.split('.')[0]!);
  });

  it('a reconnect with another token is another caller', async () => {
    const { connect } = await start();
    const first = await connect({ Authorization: `Bearer ${alpha({ sub: 'first' })}` });
    expect(await first.frame(0)).toEqual(ACK);
    first.subscribe('1', 'subscription { ticks }');
    expect(await first.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { ticks: 'tick for first' } } });
    first.close();
    const second = await connect({ Authorization: `Bearer ${alpha({ sub: 'second' })}` });
    expect(await second.frame(0)).toEqual(ACK);
    second.subscribe('1', 'subscription { ticks }');
    expect(await second.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { ticks: 'tick for second' } } });
  });

  it('never logs a token, whatever the connection sends', async () => {
    const seen: string[] = [];
    const spies = (['log', 'error', 'warn', 'debug', 'verbose', 'fatal'] as const).map((level) =>
      vi.spyOn(Logger.prototype, level).mockImplementation((...args: unknown[]) => void seen.push(args.map(String).join(' '))),
    );
    try {
      const { connect } = await start();
      const tokens = [alpha({ aud: 'someone-else' }), alpha({ exp: nowSeconds() - 3600, iat: nowSeconds() - 7200 }), `${alpha().slice(0, -6)}AAAAAA`];
      for (const token of tokens) {
        const client = await connect({ Authorization: `Bearer ${token}` });
        const closed = await client.closed;
        seen.push(closed.reason);
      }
      for (const token of tokens) for (const part of token.split('.')) expect(seen.some((line) => line.includes(part))).toBe(false);
    } finally {
      spies.forEach((spy) => spy.mockRestore());
    }
  });

  it('keepAfterExpiry: a public subscription started after the expiry gets no caller, as a public HTTP route gets none', async () => {
    const { clock, connect } = await start({ keepAfterExpiry: true });
    const exp = nowSeconds() + 120;
    const client = await connect({ Authorization: `Bearer ${alpha({ exp })}` });
    expect(await client.frame(0)).toEqual(ACK);
    client.subscribe('1', 'subscription { publicTicks }');
    expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { publicTicks: 'public tick for user-1' } } });
    clock.advance((exp + 3600) * 1000 - clock.now());
    // The verification of a token reads the wall clock (the key clock only times the connection): move both.
    vi.useFakeTimers({ toFake: ['Date'], now: clock.now() });
    client.subscribe('2', 'subscription { publicTicks }');
    expect(await client.frame(2)).toEqual({ id: '2', type: 'next', payload: { data: { publicTicks: 'public tick for nobody' } } });
    client.subscribe('3', 'subscription { ticks }');
    expect(await client.frame(3)).toEqual({
      id: '3',
      type: 'next',
      payload: {
        errors: [
          { message: 'Jwt is expired', locations: [{ line: 1, column: 16 }], path: ['ticks'], extensions: { code: 'UNAUTHENTICATED', errorCode: 'TOKEN_EXPIRED' } },
        ],
      },
    });
    vi.useRealTimers();
  });
});
