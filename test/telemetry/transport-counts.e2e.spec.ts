/**
 * Refusals on the other transports are counted once each, by the code that answers them: a gRPC call (the guard), a
 * GraphQL resolver (the guard, on Apollo and Mercurius), a WebSocket handshake (the adapter) and a gateway message
 * (the guard, from the handshake's verdict, never verified again).
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
import { claims, nowSeconds, signJwt } from '../support/keys.js';
import { connectWs } from '../websockets/clients.js';
import { passesOf, refusalsOf } from './counts-kit.js';

let issuers: Issuers;
const alpha = (overrides: Record<string, unknown> = {}) => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', overrides));

beforeAll(async () => {
  issuers = await startIssuers();
});
afterAll(() => issuers?.server.stop());

@Controller()
class ShelvesGrpcController {
  @Secured('alpha', { scopes: ['write:shelves'] })
  @GrpcMethod('Shelves', 'CreateShelf')
  create(_request: unknown, @UserInfo() user: JwtClaims) {
    return replyOf('CreateShelf', user);
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

  it('counts a refused call once, and a call let through once', async () => {
    const counters = app.get(EndpointsAuthCounters);
    expect((await unary(shelves, 'CreateShelf')).code).toBe(UNAUTHENTICATED);
    expect((await unary(shelves, 'CreateShelf', {}, bearerMetadata(alpha({ scope: 'read:shelves' })))).code).toBe(PERMISSION_DENIED);
    expect((await unary(shelves, 'CreateShelf', {}, bearerMetadata(alpha({ scope: 'write:shelves' })))).code).toBe(OK);
    expect(refusalsOf(counters)).toEqual({ 'alpha/MISSING_TOKEN': 1, 'alpha/INSUFFICIENT_SCOPE': 1 });
    expect(passesOf(counters)).toEqual({ alpha: 1 });
  });
});

@Resolver()
class ShelvesResolver {
  @Secured('alpha')
  @Query(() => String)
  shelfOwner(@UserInfo('sub') sub: string): string {
    return sub;
  }
}

describe.each(DRIVERS)('GraphQL on %s (%s)', (driver, adapter) => {
  let url: string;
  let counters: EndpointsAuthCounters;
  const apps = new Apps();

  beforeAll(async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) }), graphqlModule(driver)], providers: [ShelvesResolver] })
    class GraphqlModule {}
    const started = apps.track(await startApp(GraphqlModule, adapter));
    url = started.url;
    counters = started.app.get(EndpointsAuthCounters);
  });
  afterAll(() => apps.closeAll());

  it('counts a refused resolver once, and a resolver let through once', async () => {
    const refused = await gql(url, '{ shelfOwner }', bearer(alpha({ exp: nowSeconds() - 3600, iat: nowSeconds() - 7200 })));
    expect(refused.body.errors).toHaveLength(1);
    expect((await gql(url, '{ shelfOwner }', bearer(alpha()))).body).toEqual({ data: { shelfOwner: 'user-1' } });
    expect(refusalsOf(counters)).toEqual({ 'alpha/TOKEN_EXPIRED': 1 });
    expect(passesOf(counters)).toEqual({ alpha: 1 });
  });
});

@Secured('alpha')
@WebSocketGateway({ path: '/shelves' })
class ShelvesGateway {
  @SubscribeMessage('whoami')
  whoami(@UserInfo('sub') sub: string) {
    return { event: 'whoami', data: { sub } };
  }

  @Secured('alpha', { scopes: ['write:shelves'] })
  @SubscribeMessage('delete')
  remove(@UserInfo('sub') sub: string) {
    return { event: 'deleted', data: { sub } };
  }
}

describe.each(ADAPTERS)('WebSocket gateway on %s', (adapter) => {
  let url: string;
  let counters: EndpointsAuthCounters;
  const apps = new Apps();

  beforeAll(async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) })], providers: [ShelvesGateway] })
    class GatewayModule {}
    const started = apps.track(
      await startAppWith(GatewayModule, adapter, { configure: (app) => app.useWebSocketAdapter(new EndpointsAuthWsAdapter(app)) }),
    );
    url = started.url;
    counters = started.app.get(EndpointsAuthCounters);
  });
  afterAll(() => apps.closeAll());

  it('counts a refused handshake once, and each refused or answered message once', async () => {
    const at = `${url.replace(/^http/, 'ws')}/shelves`;
    const refused = await connectWs(at);
    expect(await refused.client.closed).toEqual({ code: 4401, reason: 'Jwt is missing' });
    const { client, outcome } = await connectWs(at, bearer(alpha({ scope: 'read:shelves' })));
    expect(outcome).toBe('open');
    expect((await client.ask('delete')).data).toMatchObject({ errorCode: 'INSUFFICIENT_SCOPE' });
    expect(await client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'user-1' } });
    client.socket.close();
    expect(refusalsOf(counters)).toEqual({ 'alpha/MISSING_TOKEN': 1, 'alpha/INSUFFICIENT_SCOPE': 1 });
    // The handshake let in, then the message answered.
    expect(passesOf(counters)).toEqual({ alpha: 2 });
  });
});
