/**
 * Subscriptions over graphql-ws (Apollo's Nest driver, Express), over real sockets: the `connectionParams` token is
 * verified at connection init (a refusal closes with 4401, or 4403 for an audience failure, ESP's message as the
 * reason), each subscription is checked against its resolver's requirement, `@UserInfo()` reaches the subscription
 * resolver, and a token that expires ends the connection (the key clock is the test's, so no real wait).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { Apps } from '../support/app.js';
import { claims, nowSeconds, signJwt } from '../support/keys.js';
import { until } from '../support/manual-clock.js';
import { Ticker, WsClient, subscriptionStarter } from './subscription-kit.js';

const ACK = { type: 'connection_ack' };

/**
 * A refused subscription's frame: graphql-ws sends the result of a subscription whose source failed as one `next`
 * carrying the errors, then `complete`.
 */
const refusedFrame = (id: string, field: string, message: string, code: string, errorCode: string) => ({
  id,
  type: 'next',
  payload: { errors: [{ message, locations: [{ line: 1, column: 16 }], path: [field], extensions: { code, errorCode } }] },
});

describe('graphql-ws subscriptions', () => {
  let issuers: Issuers;
  const apps = new Apps();
  const clients: WsClient[] = [];
  const alpha = (overrides: Record<string, unknown> = {}) =>
    signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', overrides));

  const start = subscriptionStarter(apps, clients, () => issuers);

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterEach(() => {
    clients.splice(0).forEach((client) => client.close());
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  describe('by default', () => {
    let connect: Awaited<ReturnType<typeof start>>['connect'];
    beforeAll(async () => {
      ({ connect } = await start());
    });

    it('closes a connection without a token with 4401 "Jwt is missing"', async () => {
      const client = await connect();
      expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is missing' });
      expect(client.frames).toEqual([]);
    });

    it('closes a connection with an expired token with 4401 "Jwt is expired"', async () => {
      const client = await connect({ Authorization: `Bearer ${alpha({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 })}` });
      expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is expired' });
    });

    it('closes a connection with a wrong audience with 4403', async () => {
      const wrong = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'someone-else'));
      const client = await connect({ authorization: `Bearer ${wrong}` });
      expect(await client.closed).toEqual({ code: 4403, reason: 'Audiences in Jwt are not allowed' });
    });

    it('closes a connection whose Authorization has no Bearer scheme, as ESP finds no token there', async () => {
      const client = await connect({ Authorization: alpha() });
      expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is missing' });
    });

    it.each([['Authorization', 'Bearer '], ['authorization', 'bearer '], ['access_token', '']])(
      'accepts a valid token in %s and hands its claims to the subscription resolver',
      async (name, prefix) => {
        const client = await connect({ [name]: `${prefix}${alpha()}` });
        expect(await client.frame(0)).toEqual(ACK);
        client.subscribe('1', 'subscription { ticks }');
        expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { ticks: 'tick for user-1' } } });
        client.subscribe('2', 'subscription { endpointTicks }');
        expect(await client.frame(2)).toEqual({ id: '2', type: 'next', payload: { data: { endpointTicks: 'endpoint tick for user-1' } } });
      },
    );

    it('checks each subscription against its resolver’s requirement (an alpha token on a beta subscription)', async () => {
      const client = await connect({ Authorization: `Bearer ${alpha()}` });
      expect(await client.frame(0)).toEqual(ACK);
      client.subscribe('1', 'subscription { betaTicks }');
      expect(await client.frame(1)).toEqual(
        refusedFrame('1', 'betaTicks', 'Jwt issuer is not configured', 'UNAUTHENTICATED', 'UNKNOWN_ISSUER'),
      );
      expect(await client.frame(2)).toEqual({ id: '1', type: 'complete' });
      expect(client.open).toBe(true);
    });

    it('ends the connection, and its subscriptions, when the token expires', async () => {
      const { clock, connect: connectTo } = await start();
      const exp = nowSeconds() + 120;
      const client = await connectTo({ Authorization: `Bearer ${alpha({ exp })}` });
      expect(await client.frame(0)).toEqual(ACK);
      client.subscribe('1', 'subscription { ticks }');
      expect(await client.frame(1)).toMatchObject({ id: '1', type: 'next' });
      const ended = Ticker.ended;
      // ESP accepts the token until `exp` plus the clock skew (60 s by default): one second before that, it stays.
      clock.advance((exp + 60) * 1000 - clock.now());
      client.send({ type: 'ping' });
      expect(await client.frame(2)).toEqual({ type: 'pong' });
      clock.advance(1000);
      expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is expired' });
      await until(() => Ticker.ended > ended, 'the subscription ended on the server');
    });
  });

  it('keeps the connection after the expiry with keepAfterExpiry', async () => {
    const { clock, connect } = await start({ keepAfterExpiry: true });
    const exp = nowSeconds() + 120;
    const client = await connect({ Authorization: `Bearer ${alpha({ exp })}` });
    expect(await client.frame(0)).toEqual(ACK);
    client.subscribe('1', 'subscription { ticks }');
    expect(await client.frame(1)).toMatchObject({ id: '1', type: 'next' });
    clock.advance((exp + 3600) * 1000 - clock.now());
    client.send({ type: 'ping' });
    expect(await client.frame(2)).toEqual({ type: 'pong' });
    expect(client.open).toBe(true);
  });

  describe('with anonymous connections', () => {
    let connect: Awaited<ReturnType<typeof start>>['connect'];
    beforeAll(async () => {
      ({ connect } = await start({ anonymous: true }));
    });

    it('accepts a connection without a token: public subscriptions run, the others are refused one by one', async () => {
      const client = await connect();
      expect(await client.frame(0)).toEqual(ACK);
      client.subscribe('1', 'subscription { publicTicks }');
      expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { publicTicks: 'public tick for nobody' } } });
      client.subscribe('2', 'subscription { ticks }');
      expect(await client.frame(2)).toEqual(refusedFrame('2', 'ticks', 'Jwt is missing', 'UNAUTHENTICATED', 'MISSING_TOKEN'));
      expect(await client.frame(3)).toEqual({ id: '2', type: 'complete' });
      // Undecorated: the endpoint's operation (POST /graphql) needs an alpha token.
      client.subscribe('3', 'subscription { endpointTicks }');
      expect(await client.frame(4)).toEqual(refusedFrame('3', 'endpointTicks', 'Jwt is missing', 'UNAUTHENTICATED', 'MISSING_TOKEN'));
      expect(client.open).toBe(true);
    });

    it('still refuses a bad token at init', async () => {
      const client = await connect({ Authorization: `Bearer ${alpha({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 })}` });
      expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is expired' });
    });

    it('hands a public subscription the verified caller when there is one', async () => {
      const client = await connect({ Authorization: `Bearer ${alpha()}` });
      expect(await client.frame(0)).toEqual(ACK);
      client.subscribe('1', 'subscription { publicTicks }');
      expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { publicTicks: 'public tick for user-1' } } });
    });
  });
});
