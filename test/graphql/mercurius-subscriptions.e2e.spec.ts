/**
 * Subscriptions on Mercurius's own subscription server (`subscription: auth.mercurius()`, Fastify), over real sockets,
 * held to the graphql-ws contract: the `connection_init` payload's token is verified at init (a refusal closes with
 * 4401, or 4403 for an audience failure, ESP's message as the reason), each subscription is checked against its
 * resolver's requirement, `@UserInfo()` reaches the subscription resolver, and a token that expires ends the
 * connection (the key clock is the test's, so no real wait).
 */
import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { EndpointsAuthModule, EndpointsAuthSubscriptions } from '../../lib/index.js';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { Apps, startApp } from '../support/app.js';
import { claims, nowSeconds, signJwt } from '../support/keys.js';
import { until } from '../support/manual-clock.js';
import { graphqlSpec } from './graphql-kit.js';
import { Ticker, TicksResolver, WsClient, subscriptionStarter } from './subscription-kit.js';

const ACK = { type: 'connection_ack' };

/** Mercurius's refusal of one subscription: an `error` frame with the resolver refusal's error; no `complete` follows. */
const refusedFrame = (id: string, field: string, message: string, code: string, errorCode: string) => ({
  id,
  type: 'error',
  payload: [{ message, locations: [{ line: 1, column: 16 }], path: [field], extensions: { code, errorCode } }],
});

describe('Mercurius subscriptions', () => {
  let issuers: Issuers;
  const apps = new Apps();
  const clients: WsClient[] = [];
  const alpha = (overrides: Record<string, unknown> = {}) =>
    signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', overrides));
  const expired = () => alpha({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 });

  const start = subscriptionStarter(apps, clients, () => issuers, 'mercurius');

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

  describe('by default', () => {
    let connect: Awaited<ReturnType<typeof start>>['connect'];
    beforeAll(async () => {
      ({ connect } = await start());
    });

    it('closes a connection without a token with 4401 "Jwt is missing", before any frame', async () => {
      const client = await connect();
      expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is missing' });
      expect(client.frames).toEqual([]);
    });

    it('closes a connection with an expired token with 4401 "Jwt is expired"', async () => {
      const client = await connect({ Authorization: `Bearer ${expired()}` });
      expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is expired' });
      expect(client.frames).toEqual([]);
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

    it.each([['a string', 'Bearer x'], ['an array', ['Bearer x']], ['null', null]])(
      'closes a connection whose init payload is %s with 4401 "Jwt is missing"',
      async (_what, payload) => {
        const client = await connect(payload);
        expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is missing' });
      },
    );

    it('reads only the init payload: a token in the upgrade URL alone is refused at init, as graphqlWs() does', async () => {
      const client = await connect(undefined, `?access_token=${alpha()}`);
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

    it('runs a public subscription with the verified caller', async () => {
      const client = await connect({ Authorization: `Bearer ${alpha()}` });
      expect(await client.frame(0)).toEqual(ACK);
      client.subscribe('1', 'subscription { publicTicks }');
      expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { publicTicks: 'public tick for user-1' } } });
    });

    it('checks each subscription against its resolver’s requirement (an alpha token on a beta subscription)', async () => {
      const client = await connect({ Authorization: `Bearer ${alpha()}` });
      expect(await client.frame(0)).toEqual(ACK);
      client.subscribe('1', 'subscription { betaTicks }');
      expect(await client.frame(1)).toEqual(refusedFrame('1', 'betaTicks', 'Jwt issuer is not configured', 'UNAUTHENTICATED', 'UNKNOWN_ISSUER'));
      client.subscribe('2', 'subscription { ticks }');
      expect(await client.frame(2)).toEqual({ id: '2', type: 'next', payload: { data: { ticks: 'tick for user-1' } } });
      expect(client.open).toBe(true);
    });

    it('hands resolvers the init payload’s caller, not that of a token in the upgrade URL', async () => {
      // Mercurius names the upgrade request `request` in the context; the guard reads the connection's request first.
      const client = await connect({ access_token: alpha({ sub: 'payload-user' }) }, `?access_token=${alpha({ sub: 'url-user' })}`);
      expect(await client.frame(0)).toEqual(ACK);
      client.subscribe('1', 'subscription { ticks }');
      expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { ticks: 'tick for payload-user' } } });
    });
  });

  it('ends the connection, and its subscriptions, when the token expires', async () => {
    const { clock, connect } = await start();
    const exp = nowSeconds() + 120;
    const client = await connect({ Authorization: `Bearer ${alpha({ exp })}` });
    expect(await client.frame(0)).toEqual(ACK);
    client.subscribe('1', 'subscription { ticks }');
    expect(await client.frame(1)).toMatchObject({ id: '1', type: 'next' });
    const ended = Ticker.ended;
    // ESP accepts the token until `exp` plus the clock skew (60 s by default): one second before that, it stays.
    clock.advance((exp + 60) * 1000 - clock.now());
    client.subscribe('2', 'subscription { publicTicks }');
    expect(await client.frame(2)).toEqual({ id: '2', type: 'next', payload: { data: { publicTicks: 'public tick for user-1' } } });
    clock.advance(1000);
    expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is expired' });
    await until(() => Ticker.ended >= ended + 2, 'both subscriptions ended on the server');
  });

  it('keeps the connection after the expiry with keepAfterExpiry: a later subscription is refused, or has no caller', async () => {
    const { clock, connect } = await start({ keepAfterExpiry: true });
    const exp = nowSeconds() + 120;
    const client = await connect({ Authorization: `Bearer ${alpha({ exp })}` });
    expect(await client.frame(0)).toEqual(ACK);
    client.subscribe('1', 'subscription { ticks }');
    expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { ticks: 'tick for user-1' } } });
    clock.advance((exp + 3600) * 1000 - clock.now());
    // The verification of a token reads the wall clock (the key clock only times the connection): move both.
    vi.useFakeTimers({ toFake: ['Date'], now: clock.now() });
    client.subscribe('2', 'subscription { ticks }');
    expect(await client.frame(2)).toEqual(refusedFrame('2', 'ticks', 'Jwt is expired', 'UNAUTHENTICATED', 'TOKEN_EXPIRED'));
    client.subscribe('3', 'subscription { publicTicks }');
    expect(await client.frame(3)).toEqual({ id: '3', type: 'next', payload: { data: { publicTicks: 'public tick for nobody' } } });
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
      // Undecorated: the endpoint's operation (POST /graphql) needs an alpha token.
      client.subscribe('3', 'subscription { endpointTicks }');
      expect(await client.frame(3)).toEqual(refusedFrame('3', 'endpointTicks', 'Jwt is missing', 'UNAUTHENTICATED', 'MISSING_TOKEN'));
      expect(client.open).toBe(true);
    });

    it('does not take the upgrade URL’s token for the connection’s', async () => {
      const client = await connect(undefined, `?access_token=${alpha()}`);
      expect(await client.frame(0)).toEqual(ACK);
      client.subscribe('1', 'subscription { ticks }');
      expect(await client.frame(1)).toEqual(refusedFrame('1', 'ticks', 'Jwt is missing', 'UNAUTHENTICATED', 'MISSING_TOKEN'));
    });

    it('still refuses a bad token at init', async () => {
      const client = await connect({ Authorization: `Bearer ${expired()}` });
      expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is expired' });
    });
  });

  describe('with onConnect installed without its context', () => {
    let url: string;
    beforeAll(async () => {
      @Module({})
      class HalfInstalledModule {}
      const module: DynamicModule = {
        module: HalfInstalledModule,
        imports: [
          EndpointsAuthModule.forRoot({ spec: graphqlSpec(issuers), isGlobal: true }),
          GraphQLModule.forRootAsync<MercuriusDriverConfig>({
            driver: MercuriusDriver,
            inject: [EndpointsAuthSubscriptions],
            useFactory: (auth: EndpointsAuthSubscriptions) => ({ autoSchemaFile: true, subscription: { onConnect: auth.mercurius().onConnect } }),
          }),
        ],
        providers: [TicksResolver],
      };
      ({ url } = apps.track(await startApp(module, 'fastify')));
    });

    it('refuses every connection, even with a valid token (Mercurius answers connection_error "Forbidden")', async () => {
      const client = await WsClient.connect(url, { Authorization: `Bearer ${alpha()}` });
      clients.push(client);
      expect((await client.closed).code).not.toBe(1000);
      expect(client.frames).toEqual([{ type: 'connection_error', payload: { message: 'Forbidden' } }]);
    });
  });
});
