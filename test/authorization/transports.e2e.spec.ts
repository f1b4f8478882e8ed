/**
 * `@Secured`'s scopes and claims on the other transports, each through the guard: gRPC (PERMISSION_DENIED, a cached
 * token included), GraphQL resolvers (FORBIDDEN, on Apollo and Mercurius) and WebSocket gateway messages (the
 * `exception` event, the connection open, the handshake having authenticated only).
 */
import type * as grpc from '@grpc/grpc-js';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { Query, Resolver } from '@nestjs/graphql';
import { GrpcMethod } from '@nestjs/microservices';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { EndpointsAuthWsAdapter } from 'nestjs-endpoints-auth/ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthCounters, EndpointsAuthModule, type JwtClaims, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { DRIVERS, gql, graphqlModule } from '../graphql/graphql-kit.js';
import { OK, PERMISSION_DENIED, UNAUTHENTICATED, replyOf } from '../grpc/grpc-kit.js';
import { ADAPTERS, Apps, bearer, startApp, startAppWith } from '../support/app.js';
import { bearerMetadata, grpcClients, startGrpcApp, unary } from '../support/grpc.js';
import { claims, signJwt } from '../support/keys.js';
import { connectWs } from '../websockets/clients.js';

let issuers: Issuers;
const alpha = (overrides: Record<string, unknown> = {}) =>
  signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', { email: 'a@example.com', ...overrides }));

beforeAll(async () => {
  issuers = await startIssuers();
});
afterAll(() => issuers?.server.stop());

@Controller()
class ShelvesGrpcController {
  @Secured('alpha')
  @GrpcMethod('Shelves', 'ListShelves')
  list(_request: unknown, @UserInfo() user: JwtClaims) {
    return replyOf('ListShelves', user);
  }

  @Secured('alpha', { scopes: ['write:shelves'] })
  @GrpcMethod('Shelves', 'CreateShelf')
  create(_request: unknown, @UserInfo() user: JwtClaims) {
    return replyOf('CreateShelf', user);
  }

  @Secured('alpha', { claims: { email_verified: true } })
  @GrpcMethod('Shelves', 'DeleteShelf')
  remove(_request: unknown, @UserInfo() user: JwtClaims) {
    return replyOf('DeleteShelf', user);
  }
}

describe('gRPC', () => {
  let app: INestMicroservice;
  let shelves: grpc.Client;

  beforeAll(async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) })], controllers: [ShelvesGrpcController] })
    class GrpcModule {}
    let address: string;
    ({ app, address } = await startGrpcApp(GrpcModule));
    shelves = grpcClients(address).get('test.auth.Shelves')!;
  });
  afterAll(async () => {
    shelves?.close();
    await app?.close();
  });

  it('answers PERMISSION_DENIED with the message for a missing scope, and runs the method for a granted one', async () => {
    expect(await unary(shelves, 'CreateShelf', {}, bearerMetadata(alpha({ scope: 'read:shelves' })))).toEqual({
      code: PERMISSION_DENIED,
      details: 'Scopes in Jwt are insufficient',
    });
    const granted = await unary(shelves, 'CreateShelf', {}, bearerMetadata(alpha({ scp: ['write:shelves'] })));
    expect(granted.code).toBe(OK);
    expect(granted.reply).toMatchObject({ method: 'CreateShelf', sub: 'user-1' });
  });

  it('answers PERMISSION_DENIED for a claim that is not equal, UNAUTHENTICATED without a token', async () => {
    expect(await unary(shelves, 'DeleteShelf', {}, bearerMetadata(alpha({ email_verified: 'true' })))).toEqual({
      code: PERMISSION_DENIED,
      details: 'Claims in Jwt are not allowed',
    });
    expect((await unary(shelves, 'DeleteShelf', {}, bearerMetadata(alpha({ email_verified: true })))).code).toBe(OK);
    expect((await unary(shelves, 'DeleteShelf')).code).toBe(UNAUTHENTICATED);
  });

  it('refuses a cached token on a scoped method after it passed an unscoped one', async () => {
    const counters = app.get(EndpointsAuthCounters);
    const token = alpha({ scope: 'read:shelves', jti: 'grpc-cached' });
    expect((await unary(shelves, 'ListShelves', {}, bearerMetadata(token))).code).toBe(OK);
    const hits = counters.tokens().hits;
    expect((await unary(shelves, 'CreateShelf', {}, bearerMetadata(token))).code).toBe(PERMISSION_DENIED);
    expect(counters.tokens().hits).toBe(hits + 1);
  });
});

@Resolver()
class ShelvesResolver {
  @Secured('alpha', { scopes: ['read:shelves'] })
  @Query(() => String)
  shelfOwner(@UserInfo('sub') sub: string): string {
    return sub;
  }
}

describe.each(DRIVERS)('GraphQL on %s (%s)', (driver, adapter) => {
  let url: string;
  const apps = new Apps();

  beforeAll(async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) }), graphqlModule(driver)], providers: [ShelvesResolver] })
    class GraphqlModule {}
    ({ url } = apps.track(await startApp(GraphqlModule, adapter)));
  });
  afterAll(() => apps.closeAll());

  it('refuses a resolver with FORBIDDEN / INSUFFICIENT_SCOPE, and answers a token with the scope', async () => {
    const refused = await gql(url, '{ shelfOwner }', bearer(alpha({ scope: 'write:shelves' })));
    expect(refused.status).toBe(200);
    expect(refused.body.data).toBeNull();
    expect(refused.body.errors).toHaveLength(1);
    expect(refused.body.errors[0]).toMatchObject({
      message: 'Scopes in Jwt are insufficient',
      path: ['shelfOwner'],
      extensions: { code: 'FORBIDDEN', errorCode: 'INSUFFICIENT_SCOPE' },
    });
    const granted = await gql(url, '{ shelfOwner }', bearer(alpha({ scope: 'read:shelves' })));
    expect(granted.body).toEqual({ data: { shelfOwner: 'user-1' } });
  });
});

/** Connections authenticate at the handshake; each message is held to its handler's scopes and claims. */
@Secured('alpha')
@WebSocketGateway({ path: '/shelves' })
class ShelvesGateway {
  @SubscribeMessage('whoami')
  whoami(@UserInfo('sub') sub: string) {
    return { event: 'whoami', data: { sub } };
  }

  @Secured('alpha', { claims: { 'firebase.sign_in_provider': 'password' } })
  @SubscribeMessage('delete')
  remove(@UserInfo('sub') sub: string) {
    return { event: 'deleted', data: { sub } };
  }
}

describe.each(ADAPTERS)('WebSocket messages on %s', (adapter) => {
  let url: string;
  const apps = new Apps();

  beforeAll(async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) })], providers: [ShelvesGateway] })
    class GatewayModule {}
    const started = await startAppWith(GatewayModule, adapter, { configure: (app) => app.useWebSocketAdapter(new EndpointsAuthWsAdapter(app)) });
    ({ url } = apps.track(started));
  });
  afterAll(() => apps.closeAll());

  it('refuses a message whose claims are not allowed with the exception event; the connection stays open', async () => {
    const at = `${url.replace(/^http/, 'ws')}/shelves`;
    const { client, outcome } = await connectWs(at, bearer(alpha({ firebase: { sign_in_provider: 'google.com' } })));
    expect(outcome).toBe('open');
    expect(await client.ask('delete')).toEqual({
      event: 'exception',
      data: { status: 'error', message: 'Claims in Jwt are not allowed', errorCode: 'CLAIMS_NOT_ALLOWED' },
    });
    expect(await client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'user-1' } });
    const allowed = await connectWs(at, bearer(alpha({ firebase: { sign_in_provider: 'password' } })));
    expect(await allowed.client.ask('delete')).toEqual({ event: 'deleted', data: { sub: 'user-1' } });
    client.socket.close();
    allowed.client.socket.close();
  });
});
