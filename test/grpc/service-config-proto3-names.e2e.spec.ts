/**
 * The service configuration ESP runs, as `gcloud endpoints configs describe` prints it (proto3 JSON names), protects the
 * app exactly as its snake_case twin: the same checks pass on both, on Express and Fastify, for the config Service
 * Management generated from an OpenAPI document and for a gRPC one (HTTP routes bound by its `http.rules`); and a gRPC
 * call under the gRPC config as printed.
 */
import type * as grpc from '@grpc/grpc-js';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type JwtClaims, UserInfo } from '../../lib/index.js';
import { GOOD_KEY, MISSING_MESSAGE, recordingValidator } from '../api-keys/api-keys-kit.js';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { Apps, boot, expectMissing, expectRejected, requirementChecks, tokensOf, withIssuers } from '../requirements/requirements-kit.js';
import { type Fixture, controllersOf, fixture, spelled, writeConfig } from '../api-config/service-config-kit.js';
import { TempDir } from '../api-config/spec-kit.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { bearerMetadata, grpcClients, startGrpcApp, unary } from '../support/grpc.js';
import { claims, nowSeconds, signJwt } from '../support/keys.js';
import { OK, UNAUTHENTICATED, replyOf } from './grpc-kit.js';

const TWINS = ['camelCase', 'snake_case'] as const;

/**
 * Boots the fixture `name` in `spelling`, written to a file, with the controllers serving its routes and an API-key
 * validator accepting GOOD_KEY; hands the base URL, the issuers and their tokens to the tests of the block.
 */
function serve(adapter: AdapterName, name: Fixture, spelling: (typeof TWINS)[number]) {
  const apps = new Apps();
  const dir = new TempDir();
  const state = {} as { url: string; issuers: Issuers; tokens: ReturnType<typeof tokensOf>; check: ReturnType<typeof requirementChecks> };
  withIssuers(apps, async (issuers, tokens) => {
    const spec = writeConfig(dir, name.replace('.', `.${spelling}.`), spelled(fixture(name, issuers.server.url), spelling));
    const { url } = apps.track(await boot(adapter, { spec, apiKeys: recordingValidator('sync') }, controllersOf(name)));
    Object.assign(state, { url, issuers, tokens, check: requirementChecks(issuers, tokens) });
  });
  afterAll(() => dir.remove());
  return state;
}

describe.each(ADAPTERS)('on %s', (adapter) => {
  describe.each(TWINS)('the config generated from an OpenAPI document (%s)', (spelling) => {
    const app = serve(adapter, 'openapi-generated.service-config.json', spelling);

    it('a method whose rule has no requirements is open, and needs no key (allowUnregisteredCalls)', async () => {
      await app.check.open(`${app.url}/v1/shelves`);
    });

    it('a method with requirements needs a token of its provider', async () => {
      const ok = await app.check.requires(`${app.url}/v1/shelves`, 'alpha', 'POST');
      expect(ok.body.handler).toBe('CreateShelf');
    });

    it('checks the requirement’s audiences, and https://NAME for a provider without any', async () => {
      const url = `${app.url}/v1/shelves/s1`;
      expectRejected(await call(url, { headers: bearer(app.tokens.alpha({ aud: 'someone-else' })) }), 'Audiences in Jwt are not allowed', 'AUDIENCE_NOT_ALLOWED', 403);
      expect((await call(url, { headers: bearer(app.tokens.alpha()) })).body).toEqual({ handler: 'GetShelf', iss: app.issuers.alpha.issuer });
      const beta = (aud: string) => ({ 'x-beta-token': `Beta ${app.tokens.beta({ aud })}` });
      expect((await call(url, { headers: beta(`https://${app.issuers.service}`) })).body).toEqual({ handler: 'GetShelf', iss: app.issuers.beta.issuer });
      expectRejected(await call(url, { headers: beta('alpha-audience') }), 'Audiences in Jwt are not allowed', 'AUDIENCE_NOT_ALLOWED', 403);
    });

    it('reads the provider’s token from its jwtLocations header, after its valuePrefix, and nowhere else', async () => {
      const url = `${app.url}/v1/shelves/s1/books/b1`;
      expect((await call(url, { headers: { 'x-beta-token': `Beta ${app.tokens.beta()}` } })).body).toEqual({ handler: 'GetBook', iss: app.issuers.beta.issuer });
      expectMissing(await call(url, { headers: { 'x-beta-token': app.tokens.beta() } }));
      expectMissing(await call(url, { headers: bearer(app.tokens.beta()) }));
    });

    it('a method no usage rule lets through without a key needs one, after its token', async () => {
      const url = `${app.url}/v1/shelves/s1`;
      expectMissing(await call(`${url}?key=${GOOD_KEY}`, { method: 'DELETE' }));
      expect((await call(url, { method: 'DELETE', headers: bearer(app.tokens.alpha()) })).body.errorCode).toBe('API_KEY_MISSING');
      const ok = await call(`${url}?key=${GOOD_KEY}`, { method: 'DELETE', headers: bearer(app.tokens.alpha()) });
      expect(ok.body).toEqual({ handler: 'DeleteShelf', iss: app.issuers.alpha.issuer });
    });
  });

  describe.each(TWINS)('a gRPC config over its http.rules (%s)', (spelling) => {
    const app = serve(adapter, 'grpc.service-config.yaml', spelling);

    it('allowWithoutCredential: a call without a token passes with no user; a token is still checked', async () => {
      const url = `${app.url}/v1/health`;
      expect((await call(url)).body).toEqual({ handler: 'Check', iss: null });
      expect((await call(url, { headers: bearer(app.tokens.beta()) })).body).toEqual({ handler: 'Check', iss: app.issuers.beta.issuer });
      expectRejected(await call(url, { headers: bearer(app.tokens.betaExpired()) }), 'Jwt is expired', 'TOKEN_EXPIRED');
    });

    it('an additionalBindings path serves the same method: alpha’s token from X-Alpha-Token after “Alpha ”', async () => {
      for (const path of ['/v1/shelf/s1', '/v1/shelves/s1']) {
        expectMissing(await call(`${app.url}${path}`));
        const ok = await call(`${app.url}${path}`, { headers: { 'x-alpha-token': `Alpha ${app.tokens.alpha()}` } });
        expect(ok.body).toEqual({ handler: 'GetShelf', iss: app.issuers.alpha.issuer });
      }
    });

    it('a method without allowUnregisteredCalls needs a key besides its token', async () => {
      const url = `${app.url}/v1/shelves`;
      expect((await call(url, { headers: bearer(app.tokens.beta()) })).body.errorCode).toBe('API_KEY_MISSING');
      expect((await call(`${url}?key=${GOOD_KEY}`, { headers: bearer(app.tokens.beta()) })).body).toEqual({
        handler: 'ListShelves',
        iss: app.issuers.beta.issuer,
      });
    });
  });
});

@Controller()
class ShelvesController {
  @GrpcMethod('Shelves', 'ListShelves')
  list(_request: unknown, @UserInfo() user: JwtClaims | undefined) {
    return replyOf('ListShelves', user);
  }

  @GrpcMethod('Shelves', 'GetShelf')
  get(_request: unknown, @UserInfo() user: JwtClaims | undefined) {
    return replyOf('GetShelf', user);
  }
}

@Controller()
class HealthController {
  @GrpcMethod('Health', 'Check')
  check(_request: unknown, @UserInfo() user: JwtClaims | undefined) {
    return replyOf('Check', user);
  }
}

describe('a gRPC call under the gRPC config as gcloud prints it', () => {
  let issuers: Issuers;
  let app: INestMicroservice;
  let shelves: grpc.Client;
  let health: grpc.Client;
  const dir = new TempDir();

  beforeAll(async () => {
    issuers = await startIssuers();
    const spec = writeConfig(dir, 'grpc.service-config.yaml', fixture('grpc.service-config.yaml', issuers.server.url));
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec, apiKeys: recordingValidator('sync') })], controllers: [ShelvesController, HealthController] })
    class GrpcModule {}
    const started = await startGrpcApp(GrpcModule);
    app = started.app;
    const clients = grpcClients(started.address);
    shelves = clients.get('test.auth.Shelves')!;
    health = clients.get('test.auth.Health')!;
  });
  afterAll(async () => {
    shelves?.close();
    health?.close();
    await app?.close();
    await issuers?.server.stop();
    dir.remove();
  });

  it('applies each method’s rule: jwtLocations with valuePrefix, allowWithoutCredential, and the usage rules’ keys', async () => {
    const alpha = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', { sub: 'alpha-user' }));
    const beta = signJwt(issuers.beta.key, claims(issuers.beta.issuer, `https://${issuers.service}`, { sub: 'beta-user' }));
    expect(await unary(shelves, 'GetShelf', {}, { 'x-alpha-token': `Alpha ${alpha}` })).toMatchObject({ code: OK, reply: { sub: 'alpha-user' } });
    expect(await unary(shelves, 'GetShelf')).toEqual({ code: UNAUTHENTICATED, details: 'Jwt is missing' });
    expect(await unary(health, 'Check')).toMatchObject({ code: OK, reply: { verified: false } });
    const expired = signJwt(issuers.beta.key, claims(issuers.beta.issuer, `https://${issuers.service}`, { iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 }));
    expect(await unary(health, 'Check', {}, bearerMetadata(expired))).toEqual({ code: UNAUTHENTICATED, details: 'Jwt is expired' });
    expect(await unary(shelves, 'ListShelves', {}, bearerMetadata(beta))).toEqual({ code: UNAUTHENTICATED, details: MISSING_MESSAGE });
    expect(await unary(shelves, 'ListShelves', {}, { ...bearerMetadata(beta), 'x-api-key': GOOD_KEY })).toMatchObject({
      code: OK,
      reply: { sub: 'beta-user' },
    });
  });
});
