/**
 * Attacks on Mercurius subscriptions authenticated by `auth.mercurius()` (Fastify), over real sockets: an upgrade target
 * the router decodes (`/%67raphql`), a forged `X-Endpoint-API-UserInfo` carried by the init payload or the upgrade
 * request, operations before `connection_init`, a second `connection_init`, Mercurius's `connectionInit` extension,
 * `payload.headers`, and queries, mutations and introspection over the socket with `fullWsTransport`.
 */
import { type DynamicModule, Module } from '@nestjs/common';
import { Context, GraphQLModule, Mutation, Query, Resolver, Subscription } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  EndpointsAuthIntrospection,
  EndpointsAuthModule,
  EndpointsAuthSubscriptions,
  type GraphqlWsAuthOptions,
  Public,
  Secured,
  UserInfo,
} from '../../lib/index.js';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { Apps, call, startAppWith } from '../support/app.js';
import { ManualClock } from '../support/manual-clock.js';
import { claims, nowSeconds, signJwt } from '../support/keys.js';
import { graphqlSpec } from '../graphql/graphql-kit.js';
import { Ticker, WsClient } from '../graphql/subscription-kit.js';
import { type ConnectOptions, connectAt } from './mercurius-clients.js';

const ACK = { type: 'connection_ack' };
const FORGED = 'eyJzdWIiOiJmb3JnZWQifQ';

@Resolver()
class AttackResolver {
  @Query(() => String)
  hello(): string {
    return 'hello';
  }

  @Secured('alpha')
  @Query(() => String)
  whoami(@UserInfo('sub') sub: string): string {
    return sub;
  }

  @Secured('alpha')
  @Mutation(() => String)
  touch(@UserInfo('sub') sub: string): string {
    return `touched by ${sub}`;
  }

  /** Undecorated: what the spec requires of POST /graphql (an alpha token). */
  @Subscription(() => String)
  endpointTicks(@UserInfo('sub') sub: string | undefined) {
    return new Ticker({ endpointTicks: `endpoint tick for ${sub ?? 'nobody'}` });
  }

  @Secured('alpha')
  @Subscription(() => String)
  ticks(@UserInfo('sub') sub: string) {
    return new Ticker({ ticks: `tick for ${sub}` });
  }

  /** What a resolver ported from ESP reads: the user info header of Mercurius's request. */
  @Public()
  @Subscription(() => String)
  userInfoHeader(@Context() context: { request: { headers: Record<string, unknown> } }) {
    return new Ticker({ userInfoHeader: String(context.request.headers['x-endpoint-api-userinfo'] ?? 'none') });
  }
}

describe('Mercurius subscriptions under attack', () => {
  let issuers: Issuers;
  const apps = new Apps();
  const clients: WsClient[] = [];
  const alpha = (overrides: Record<string, unknown> = {}) => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', overrides));

  /** The app, with Mercurius's socket carrying queries and mutations too, and introspection held to the endpoint. */
  async function start(ws: GraphqlWsAuthOptions = {}) {
    @Module({})
    class AttackModule {}
    const module: DynamicModule = {
      module: AttackModule,
      imports: [
        EndpointsAuthModule.forRoot({ spec: graphqlSpec(issuers), isGlobal: true }),
        GraphQLModule.forRootAsync<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          inject: [EndpointsAuthSubscriptions, EndpointsAuthIntrospection],
          useFactory: (auth: EndpointsAuthSubscriptions, introspection: EndpointsAuthIntrospection) => ({
            autoSchemaFile: true,
            hooks: introspection.mercuriusHooks(),
            allowBatchedQueries: true,
            subscription: { ...auth.mercurius(ws), fullWsTransport: true },
          }),
        }),
      ],
      providers: [AttackResolver],
    };
    const clock = new ManualClock();
    const { url } = apps.track(await startAppWith(module, 'fastify', { keyClock: clock }));
    const connect = async (params?: unknown, target = '/graphql', options?: ConnectOptions) => {
      const client = await connectAt(url, target, params, options);
      clients.push(client);
      return client;
    };
    return { url, connect, clock };
  }

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

  describe('with anonymous connections', () => {
    let connect: Awaited<ReturnType<typeof start>>['connect'];
    beforeAll(async () => {
      ({ connect } = await start({ anonymous: true }));
    });

    it('holds an undecorated subscription to the endpoint’s operation whatever spelling of its path the router decoded', async () => {
      // Fastify routes /%67raphql to /graphql; as written it matches no spec path, where no security applies.
      const client = await connect(undefined, '/%67raphql');
      expect(await client.frame(0)).toEqual(ACK);
      client.subscribe('1', 'subscription { endpointTicks }');
      expect(await client.frame(1)).toMatchObject({ id: '1', type: 'error', payload: [{ message: 'Jwt is missing' }] });
    });

    it('never hands resolvers a user info header the init payload carries, at its top or in its headers', async () => {
      for (const payload of [{ 'x-endpoint-api-userinfo': FORGED }, { headers: { 'x-endpoint-api-userinfo': FORGED } }]) {
        const client = await connect(payload);
        expect(await client.frame(0)).toEqual(ACK);
        client.subscribe('1', 'subscription { userInfoHeader }');
        expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { userInfoHeader: 'none' } } });
        client.close();
      }
    });

    it('takes a token in payload.headers for no caller: Mercurius copies it to the upgrade request, which the guard never reads', async () => {
      const client = await connect({ headers: { authorization: `Bearer ${alpha()}` } });
      expect(await client.frame(0)).toEqual(ACK);
      client.subscribe('1', 'subscription { ticks }');
      expect(await client.frame(1)).toMatchObject({ id: '1', type: 'error', payload: [{ message: 'Jwt is missing' }] });
      client.subscribe('2', 'query { whoami }');
      expect(await client.frame(2)).toMatchObject({ id: '2', type: 'next', payload: { data: null, errors: [{ message: 'Jwt is missing' }] } });
    });

    it('refuses queries, mutations and introspection over the socket without a token; runs them with one', async () => {
      const anonymous = await connect();
      expect(await anonymous.frame(0)).toEqual(ACK);
      anonymous.subscribe('1', 'mutation { touch }');
      expect(await anonymous.frame(1)).toMatchObject({ id: '1', payload: { data: null, errors: [{ message: 'Jwt is missing' }] } });
      anonymous.subscribe('2', '{ __schema { queryType { name } } }');
      // frame 2 completes the mutation; introspection is refused by the endpoint's hook with Mercurius's error frame.
      expect(await anonymous.frame(3)).toMatchObject({ id: '2', type: 'error', payload: [{ message: 'Jwt is missing' }] });
      const caller = await connect({ Authorization: `Bearer ${alpha({ sub: 'ws-user' })}` });
      expect(await caller.frame(0)).toEqual(ACK);
      caller.subscribe('1', 'mutation { touch }');
      expect(await caller.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { touch: 'touched by ws-user' } } });
    });

    it('refuses a connectionInit extension with a bad token by closing the connection, before the operation runs', async () => {
      const client = await connect();
      expect(await client.frame(0)).toEqual(ACK);
      const expired = alpha({ iat: 1000, exp: 2000 });
      client.send({ id: '1', type: 'subscribe', payload: { query: 'subscription { ticks }' }, extensions: [{ type: 'connectionInit', payload: { access_token: expired } }] });
      expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is expired' });
      expect(client.frames).toEqual([ACK]);
    });

    it('runs an operation under a connectionInit extension’s valid token as that token’s caller only', async () => {
      const client = await connect();
      expect(await client.frame(0)).toEqual(ACK);
      const token = alpha({ sub: 'extension-user' });
      client.send({ id: '1', type: 'subscribe', payload: { query: 'subscription { ticks }' }, extensions: [{ type: 'connectionInit', payload: { access_token: token } }] });
      expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { ticks: 'tick for extension-user' } } });
      client.subscribe('2', 'subscription { ticks }');
      expect(await client.frame(2)).toMatchObject({ id: '2', type: 'error', payload: [{ message: 'Jwt is missing' }] });
    });
  });

  describe('by default', () => {
    let connect: Awaited<ReturnType<typeof start>>['connect'];
    beforeAll(async () => {
      ({ connect } = await start());
    });

    it('answers an operation sent before connection_init with connection_error and closes, running nothing', async () => {
      const client = await connect(undefined, '/graphql', { init: false });
      client.subscribe('1', 'subscription { endpointTicks }');
      await client.closed;
      expect(client.frames).toEqual([{ type: 'connection_error', payload: { message: 'Connection has not been established yet.' } }]);
    });

    it('closes the connection on a second connection_init whose token is refused', async () => {
      const client = await connect({ Authorization: `Bearer ${alpha()}` });
      expect(await client.frame(0)).toEqual(ACK);
      client.send({ type: 'connection_init', payload: { Authorization: 'Bearer not-a-jwt' } });
      expect((await client.closed).code).toBe(4401);
    });

    it('never hands resolvers a user info header the upgrade request carries', async () => {
      const client = await connect({ Authorization: `Bearer ${alpha()}` }, '/graphql', { headers: { 'X-Endpoint-API-UserInfo': FORGED } });
      expect(await client.frame(0)).toEqual(ACK);
      client.subscribe('1', 'subscription { userInfoHeader }');
      expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { userInfoHeader: 'none' } } });
    });
  });
  it('keepAfterExpiry: a query or mutation sent over the socket after the expiry is refused as expired', async () => {
    const { clock, connect } = await start({ keepAfterExpiry: true });
    const exp = nowSeconds() + 120;
    const client = await connect({ Authorization: `Bearer ${alpha({ sub: 'ws-user', exp })}` });
    expect(await client.frame(0)).toEqual(ACK);
    client.subscribe('1', '{ whoami }');
    expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { whoami: 'ws-user' } } });
    clock.advance((exp + 3600) * 1000 - clock.now());
    // The verification of a token reads the wall clock (the key clock only times the connection): move both.
    vi.useFakeTimers({ toFake: ['Date'], now: clock.now() });
    client.subscribe('2', 'mutation { touch }');
    expect(await client.frame(3)).toMatchObject({ id: '2', payload: { data: null, errors: [{ message: 'Jwt is expired' }] } });
    client.subscribe('3', '{ hello }');
    expect(await client.frame(5)).toMatchObject({ id: '3', payload: { data: null, errors: [{ message: 'Jwt is expired' }] } });
    expect(client.open).toBe(true);
  });

  it('holds each query of an HTTP batch to its own requirement, introspection included', async () => {
    const { url } = await start();
    const { body } = await call(`${url}/graphql`, {
      method: 'POST',
      body: [{ query: '{ whoami }' }, { query: '{ __schema { queryType { name } } }' }, { query: '{ __typename }' }],
    });
    expect(body).toMatchObject([
      { data: null, errors: [{ message: 'Jwt is missing' }] },
      { errors: [{ message: 'Jwt is missing' }] },
      { data: { __typename: 'Query' } },
    ]);
  });
});
