/**
 * The guard in a Nest gRPC microservice, called by a real grpc-js client over 127.0.0.1: tokens from the call's
 * metadata, failures as gRPC status with ESP's message, `@UserInfo()` per call, `@Secured`/`@Public` on gRPC handlers.
 */
import type * as grpc from '@grpc/grpc-js';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { ClientProxyFactory, GrpcMethod, MessagePattern, Transport, type ClientProxy } from '@nestjs/microservices';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type JwtClaims, Public, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { bearerMetadata, freePort, grpcClients, startGrpcApp, unary } from '../support/grpc.js';
import { claims, nowSeconds, signJwt } from '../support/keys.js';
import { OK, PERMISSION_DENIED, UNAUTHENTICATED, replyOf } from './grpc-kit.js';

@Secured('alpha')
@Controller()
class ShelvesController {
  @GrpcMethod('Shelves', 'ListShelves')
  list(_request: unknown, @UserInfo() user: JwtClaims) {
    return replyOf('ListShelves', user);
  }

  @Secured('alpha', 'beta')
  @GrpcMethod('Shelves', 'GetShelf')
  get(_request: unknown, @UserInfo() user: JwtClaims) {
    return replyOf('GetShelf', user);
  }

  @Secured('beta')
  @GrpcMethod('Shelves', 'CreateShelf')
  create(_request: unknown, @UserInfo() user: JwtClaims, @UserInfo('email') email: string | undefined) {
    return { ...replyOf('CreateShelf', user), email: `${email ?? ''}` };
  }

  @Secured('alpha', { optional: true })
  @GrpcMethod('Shelves', 'DeleteShelf')
  remove(_request: unknown, @UserInfo() user: JwtClaims | undefined) {
    return replyOf('DeleteShelf', user);
  }
}

/** No decorator on Check: the spec's top-level `security` applies; Ping is `@Public()`. */
@Controller()
class HealthController {
  @GrpcMethod('Health', 'Check')
  check(_request: unknown, @UserInfo() user: JwtClaims | undefined) {
    return replyOf('Check', user);
  }

  @Public()
  @GrpcMethod('Health', 'Ping')
  ping(_request: unknown, @UserInfo() user: JwtClaims | undefined) {
    return replyOf('Ping', user);
  }
}

describe('the guard in a gRPC microservice', () => {
  let issuers: Issuers;
  let app: INestMicroservice;
  let shelves: grpc.Client;
  let health: grpc.Client;
  const alpha = (overrides: Record<string, unknown> = {}) =>
    signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', { email: 'a@example.com', ...overrides }));
  const beta = (overrides: Record<string, unknown> = {}) =>
    signJwt(issuers.beta.key, claims(issuers.beta.issuer, `https://${issuers.service}`, overrides));

  beforeAll(async () => {
    issuers = await startIssuers();
    const spec = openApi2(issuers, { security: [{ alpha: [] }] });
    // beta reads its token from its own header only, as `x-google-jwt-locations` says; the query entry finds nothing in gRPC.
    Object.assign(spec.securityDefinitions.beta, {
      'x-google-jwt-locations': [{ header: 'X-Shelf-Token', value_prefix: 'Token ' }, { query: 'access_token' }],
    });
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec })], controllers: [ShelvesController, HealthController] })
    class GrpcModule {}
    let address: string;
    ({ app, address } = await startGrpcApp(GrpcModule));
    const clients = grpcClients(address);
    shelves = clients.get('test.auth.Shelves')!;
    health = clients.get('test.auth.Health')!;
  });
  afterAll(async () => {
    shelves?.close();
    health?.close();
    await app?.close();
    await issuers?.server.stop();
  });

  it('passes a call whose `authorization: Bearer` metadata carries a good token, and hands the claims to @UserInfo()', async () => {
    const answer = await unary(shelves, 'ListShelves', {}, bearerMetadata(alpha()));
    expect(answer).toEqual({
      code: OK,
      details: 'OK',
      reply: { method: 'ListShelves', sub: 'user-1', email: 'a@example.com', verified: true },
    });
  });

  it('reads the `Bearer` scheme in any case, as over HTTP (RFC 7235 §2.1)', async () => {
    expect((await unary(shelves, 'ListShelves', {}, { authorization: `bearer ${alpha()}` })).code).toBe(OK);
    expect((await unary(shelves, 'ListShelves', {}, { authorization: `BEARER  ${alpha()}` })).code).toBe(OK);
  });

  it('reads `x-goog-iap-jwt-assertion` too', async () => {
    const answer = await unary(shelves, 'ListShelves', {}, { 'x-goog-iap-jwt-assertion': alpha() });
    expect(answer.code).toBe(OK);
  });

  it.each([
    ['no metadata at all', () => ({}), 'Jwt is missing'],
    ['another scheme (`Basic`)', () => ({ authorization: `Basic ${alpha()}` }), 'Jwt is missing'],
    ['an expired token', () => bearerMetadata(alpha({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 })), 'Jwt is expired'],
    ['a token of an issuer the spec does not name', () => bearerMetadata(signJwt(issuers.alpha.key, claims('https://stranger.example.com', 'alpha-audience'))), 'Jwt issuer is not configured'],
    ['a token that is not a JWT', () => bearerMetadata('not-a-jwt'), 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections'],
    ['a second, bad token beside a good one (every token must verify)', () => ({ ...bearerMetadata(alpha()), 'x-goog-iap-jwt-assertion': 'x.y.z' }), 'Jwt header is an invalid Base64url encoded'],
  ])('refuses %s with UNAUTHENTICATED and ESP’s message', async (_label, metadata, message) => {
    expect(await unary(shelves, 'ListShelves', {}, metadata())).toEqual({ code: UNAUTHENTICATED, details: message });
  });

  it('answers PERMISSION_DENIED where HTTP answers 403 (audience not allowed)', async () => {
    const answer = await unary(shelves, 'ListShelves', {}, bearerMetadata(alpha({ aud: 'someone-else' })));
    expect(answer).toEqual({ code: PERMISSION_DENIED, details: 'Audiences in Jwt are not allowed' });
  });

  it('reads a definition’s own header location (`x-google-jwt-locations`) and only that', async () => {
    expect(await unary(shelves, 'CreateShelf', {}, { 'x-shelf-token': `Token ${beta({ email: 'b@example.com' })}` })).toMatchObject({
      code: OK,
      reply: { method: 'CreateShelf', email: 'b@example.com', verified: true },
    });
    // ESP's default locations are replaced, and a query location does not exist in gRPC.
    expect(await unary(shelves, 'CreateShelf', {}, bearerMetadata(beta()))).toEqual({ code: UNAUTHENTICATED, details: 'Jwt is missing' });
  });

  it('takes either alternative of @Secured(a, b), each from its own locations', async () => {
    expect((await unary(shelves, 'GetShelf', {}, bearerMetadata(alpha()))).code).toBe(OK);
    expect((await unary(shelves, 'GetShelf', {}, { 'x-shelf-token': `Token ${beta()}` })).code).toBe(OK);
    expect(await unary(shelves, 'GetShelf', {}, {})).toEqual({ code: UNAUTHENTICATED, details: 'Jwt is missing' });
  });

  it('lets a call without a token through an optional requirement, with no user, and still refuses a bad token', async () => {
    expect(await unary(shelves, 'DeleteShelf')).toMatchObject({ code: OK, reply: { verified: false, sub: '' } });
    expect((await unary(shelves, 'DeleteShelf', {}, bearerMetadata(alpha()))).reply).toMatchObject({ verified: true });
    const expired = alpha({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 });
    expect(await unary(shelves, 'DeleteShelf', {}, bearerMetadata(expired))).toEqual({ code: UNAUTHENTICATED, details: 'Jwt is expired' });
  });

  it('applies the spec’s top-level `security` to an undecorated gRPC handler, and @Public() opens one', async () => {
    expect(await unary(health, 'Check')).toEqual({ code: UNAUTHENTICATED, details: 'Jwt is missing' });
    expect((await unary(health, 'Check', {}, bearerMetadata(alpha()))).code).toBe(OK);
    // On a public method nothing is verified, so @UserInfo() stays empty even with a good token.
    expect(await unary(health, 'Ping', {}, bearerMetadata(alpha()))).toMatchObject({ code: OK, reply: { verified: false } });
  });

  it('keeps each call’s claims to that call when many run at once', async () => {
    const subjects = Array.from({ length: 20 }, (_, index) => `caller-${index}`);
    const answers = await Promise.all(
      subjects.map((sub) => unary(shelves, 'ListShelves', {}, bearerMetadata(alpha({ sub, email: `${sub}@example.com` })))),
    );
    expect(answers.map((answer) => answer.reply?.sub)).toEqual(subjects);
    expect(answers.map((answer) => answer.reply?.email)).toEqual(subjects.map((sub) => `${sub}@example.com`));
  });

  it('answers the cached token the same way (the validated-token cache holds no per-call state)', async () => {
    const token = alpha({ sub: 'cached' });
    for (let i = 0; i < 3; i++) {
      expect((await unary(shelves, 'ListShelves', {}, bearerMetadata(token))).reply).toMatchObject({ sub: 'cached' });
    }
  });
});

@Secured('alpha')
@Controller()
class TcpController {
  @MessagePattern('shelves')
  shelves() {
    return { ok: true };
  }

  @Public()
  @MessagePattern('open')
  open() {
    return { ok: true };
  }
}

/** No decorator: what the spec requires of every method applies (a `*` rule, or the top-level `security`). */
@Controller()
class PlainTcpController {
  @MessagePattern('plain')
  plain() {
    return { ok: true };
  }
}

/** An OpenAPI document requiring alpha at the top level, or a service config whose `*` rule requires alpha. */
const specs = {
  openapi: (issuers: Issuers) => openApi2(issuers, { security: [{ alpha: [] }] }),
  'a service config': (issuers: Issuers) => ({
    name: 'tcp.example.com',
    authentication: {
      providers: [{ id: 'alpha', issuer: issuers.alpha.issuer, jwks_uri: issuers.alpha.jwksUri, audiences: 'alpha-audience' }],
      rules: [{ selector: '*', requirements: [{ provider_id: 'alpha' }] }],
    },
  }),
};

describe.each(Object.keys(specs) as (keyof typeof specs)[])('an RPC transport the guard cannot read a token from (TCP), under %s', (kind) => {
  let issuers: Issuers;
  let app: INestMicroservice;
  let client: ClientProxy;

  beforeAll(async () => {
    issuers = await startIssuers();
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: specs[kind](issuers) })], controllers: [TcpController, PlainTcpController] })
    class TcpModule {}
    const { NestFactory } = await import('@nestjs/core');
    const port = await freePort();
    app = await NestFactory.createMicroservice(TcpModule, { transport: Transport.TCP, options: { host: '127.0.0.1', port }, logger: false });
    await app.listen();
    client = ClientProxyFactory.create({ transport: Transport.TCP, options: { host: '127.0.0.1', port } });
  });
  afterAll(async () => {
    await client?.close();
    await app?.close();
    await issuers?.server.stop();
  });

  it('refuses a secured handler (fail closed) with a clear error, and leaves a public one alone', async () => {
    const refused = await firstValueFrom(client.send('shelves', {})).catch((error: unknown) => error);
    expect(refused).toEqual({ code: UNAUTHENTICATED, message: 'Jwt cannot be read from a "rpc" context', errorCode: 'UNSUPPORTED_CONTEXT' });
    expect(await firstValueFrom(client.send('open', {}))).toEqual({ ok: true });
  });

  it('refuses an undecorated handler the spec requires a token of (never open because its method has no name)', async () => {
    const refused = await firstValueFrom(client.send('plain', {})).catch((error: unknown) => error);
    expect(refused).toMatchObject({ code: UNAUTHENTICATED, errorCode: 'UNSUPPORTED_CONTEXT' });
  });
});
