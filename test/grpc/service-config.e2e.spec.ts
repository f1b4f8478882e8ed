/**
 * A gRPC service configuration as the spec (`authentication: { providers, rules }`), matched to gRPC methods by full
 * name as ESP rules R15–R17 say, called by a real grpc-js client over 127.0.0.1. The service account signs with an
 * RSA key whose X.509 certificate map the key server on 127.0.0.1 serves, as Google serves a service account's.
 */
import type * as grpc from '@grpc/grpc-js';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type JwtClaims, Secured, UserInfo } from '../../lib/index.js';
import { makeCertificates } from '../keys/certificates.js';
import { KeyServer } from '../support/key-server.js';
import { bearerMetadata, grpcClients, startGrpcApp, unary } from '../support/grpc.js';
import { type TestKey, claims, makeKey, nowSeconds, signJwt } from '../support/keys.js';
import { OK, PERMISSION_DENIED, UNAUTHENTICATED, replyOf } from './grpc-kit.js';

const SERVICE = 'shelves.endpoints.test-project.cloud.goog';
const ACCOUNT = 'reader@test-project.iam.gserviceaccount.com';

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

  @GrpcMethod('Shelves', 'CreateShelf')
  create(_request: unknown, @UserInfo() user: JwtClaims | undefined) {
    return replyOf('CreateShelf', user);
  }

  /** The config leaves DeleteShelf open; the decorator wins over the config. */
  @Secured('service_account')
  @GrpcMethod('Shelves', 'DeleteShelf')
  remove(_request: unknown, @UserInfo() user: JwtClaims | undefined) {
    return replyOf('DeleteShelf', user);
  }
}

@Controller()
class HealthController {
  @GrpcMethod('Health', 'Check')
  check(_request: unknown, @UserInfo() user: JwtClaims | undefined) {
    return replyOf('Check', user);
  }

  @GrpcMethod('Health', 'Ping')
  ping(_request: unknown, @UserInfo() user: JwtClaims | undefined) {
    return replyOf('Ping', user);
  }
}

/** The service configuration under test; each rule is named for what it shows. */
function serviceConfig(keys: KeyServer) {
  return {
    type: 'google.api.Service',
    config_version: 3,
    name: SERVICE,
    authentication: {
      providers: [
        // No audiences: tokens must carry https://SERVICE (the config's `name`), as ESPv2 requires.
        { id: 'service_account', issuer: ACCOUNT, jwks_uri: `${keys.url}/x509/${ACCOUNT}` },
        {
          id: 'partner',
          issuer: 'https://partner.example.com',
          jwks_uri: `${keys.url}/partner/jwks`,
          audiences: 'partner-a, partner-b',
          jwt_locations: [{ header: 'x-partner-token' }, { query: 'partner_token' }],
        },
        // No jwks_uri and not a service account: OpenID discovery, as for an OpenAPI definition.
        { id: 'discovered', issuer: `${keys.url}/discovered`, audiences: 'discovered-audience' },
      ],
      rules: [
        { selector: '*', requirements: [{ provider_id: 'service_account' }] },
        {
          selector: 'test.auth.Shelves.*',
          requirements: [{ provider_id: 'service_account' }, { provider_id: 'partner' }, { provider_id: 'discovered' }],
        },
        // Requirement audiences replace the provider's (ESPv2), and this rule replaces the two above as a whole.
        { selector: 'test.auth.Shelves.CreateShelf', requirements: [{ provider_id: 'partner', audiences: 'create-only' }] },
        // No requirements: no auth; a comma-separated selector.
        { selector: 'test.auth.Shelves.DeleteShelf, test.auth.Health.Ping' },
        { selector: 'test.auth.Health.Check', allow_without_credential: true, requirements: [{ provider_id: 'service_account' }] },
      ],
    },
  };
}

describe('a gRPC service configuration as the spec', () => {
  const keys = new KeyServer();
  let app: INestMicroservice;
  let shelves: grpc.Client;
  let health: grpc.Client;
  let account: TestKey;
  const partnerKey = makeKey('RS256', 'partner-1');
  const discoveredKey = makeKey('ES256', 'discovered-1');

  /** A service-account token: RS256 with the certificate's key, audience the service name unless told. */
  const accountToken = (overrides: Record<string, unknown> = {}) =>
    signJwt(account, claims(ACCOUNT, `https://${SERVICE}`, { sub: ACCOUNT, email: ACCOUNT, ...overrides }));
  const partnerToken = (audience: string | string[], overrides: Record<string, unknown> = {}) =>
    signJwt(partnerKey, claims('https://partner.example.com', audience, { sub: 'partner-user', ...overrides }));

  beforeAll(async () => {
    const certificates = makeCertificates();
    account = { kid: 'sa-key-1', alg: 'RS256', privateKey: certificates.signer, jwk: {} };
    await keys.start();
    keys.set(`/x509/${ACCOUNT}`, { body: { 'sa-key-1': certificates.valid } });
    keys.jwks('/partner/jwks', [partnerKey.jwk]).jwks('/discovered/jwks', [discoveredKey.jwk]);
    keys.set('/discovered/.well-known/openid-configuration', { body: { issuer: `${keys.url}/discovered`, jwks_uri: `${keys.url}/discovered/jwks` } });
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: serviceConfig(keys) })], controllers: [ShelvesController, HealthController] })
    class ConfigModule {}
    let address: string;
    ({ app, address } = await startGrpcApp(ConfigModule));
    const clients = grpcClients(address);
    shelves = clients.get('test.auth.Shelves')!;
    health = clients.get('test.auth.Health')!;
  });
  afterAll(async () => {
    shelves?.close();
    health?.close();
    await app?.close();
    await keys.stop();
  });

  it('passes a service account’s token (RSA key, X.509 certificate map) and hands its claims to the handler', async () => {
    expect(await unary(shelves, 'ListShelves', {}, bearerMetadata(accountToken()))).toEqual({
      code: OK,
      details: 'OK',
      reply: { method: 'ListShelves', sub: ACCOUNT, email: ACCOUNT, verified: true },
    });
  });

  it.each([
    ['no token', () => ({}), 'Jwt is missing'],
    ['a token of an issuer no provider has', () => bearerMetadata(accountToken({ iss: 'someone@else.iam.gserviceaccount.com' })), 'Jwt issuer is not configured'],
    ['an expired token', () => bearerMetadata(accountToken({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 })), 'Jwt is expired'],
    ['a token signed by another key', () => bearerMetadata(signJwt(makeKey('RS256', 'sa-key-1'), claims(ACCOUNT, `https://${SERVICE}`))), 'Jwt verification fails'],
  ])('refuses %s with UNAUTHENTICATED and ESP’s message', async (_label, metadata, message) => {
    expect(await unary(shelves, 'ListShelves', {}, metadata())).toEqual({ code: UNAUTHENTICATED, details: message });
  });

  it('checks the default audience https://NAME of a provider without audiences', async () => {
    expect(await unary(shelves, 'ListShelves', {}, bearerMetadata(accountToken({ aud: 'https://elsewhere.example.com' })))).toEqual({
      code: PERMISSION_DENIED,
      details: 'Audiences in Jwt are not allowed',
    });
  });

  it('uses the last matching rule: `test.auth.Shelves.*` (after `*`) also takes the partner, from its own header', async () => {
    expect(await unary(shelves, 'GetShelf', {}, { 'x-partner-token': partnerToken('partner-b') })).toMatchObject({
      code: OK,
      reply: { sub: 'partner-user' },
    });
    expect((await unary(shelves, 'GetShelf', {}, bearerMetadata(accountToken()))).code).toBe(OK);
    // `*` alone names the service account only.
    expect(await unary(health, 'Check', {}, { 'x-partner-token': partnerToken('partner-a') })).toMatchObject({
      code: OK,
      reply: { verified: false },
    });
  });

  it('finds the keys of a provider without jwks_uri by OpenID discovery', async () => {
    const token = signJwt(discoveredKey, claims(`${keys.url}/discovered`, 'discovered-audience', { sub: 'found' }));
    expect(await unary(shelves, 'ListShelves', {}, bearerMetadata(token))).toMatchObject({ code: OK, reply: { sub: 'found' } });
    expect(keys.count('/discovered/.well-known/openid-configuration')).toBeGreaterThan(0);
  });

  it('applies the last matching rule as a whole: CreateShelf takes only the partner, with the rule’s audiences in place of its own', async () => {
    expect(await unary(shelves, 'CreateShelf', {}, { 'x-partner-token': partnerToken('create-only') })).toMatchObject({ code: OK });
    expect(await unary(shelves, 'CreateShelf', {}, { 'x-partner-token': partnerToken('partner-a') })).toEqual({
      code: PERMISSION_DENIED,
      details: 'Audiences in Jwt are not allowed',
    });
    // The service account of the earlier rules is not merged in: its locations are not even read.
    expect(await unary(shelves, 'CreateShelf', {}, bearerMetadata(accountToken()))).toEqual({ code: UNAUTHENTICATED, details: 'Jwt is missing' });
  });

  it('re-checks the requirement’s audiences when the token comes from the validated-token cache', async () => {
    const token = partnerToken('partner-a', { sub: 'cached-partner' });
    expect((await unary(shelves, 'GetShelf', {}, { 'x-partner-token': token })).code).toBe(OK);
    expect((await unary(shelves, 'GetShelf', {}, { 'x-partner-token': token })).code).toBe(OK);
    expect(await unary(shelves, 'CreateShelf', {}, { 'x-partner-token': token })).toEqual({
      code: PERMISSION_DENIED,
      details: 'Audiences in Jwt are not allowed',
    });
    const both = partnerToken(['partner-a', 'create-only']);
    expect((await unary(shelves, 'GetShelf', {}, { 'x-partner-token': both })).code).toBe(OK);
    expect((await unary(shelves, 'CreateShelf', {}, { 'x-partner-token': both })).code).toBe(OK);
  });

  it('leaves a method whose rule has no requirements open, and a comma-separated selector names each method', async () => {
    expect(await unary(health, 'Ping')).toMatchObject({ code: OK, reply: { verified: false } });
    expect(await unary(health, 'Ping', {}, bearerMetadata('not-a-jwt'))).toMatchObject({ code: OK, reply: { verified: false } });
  });

  it('lets the decorator win over the config (DeleteShelf: open by the config, @Secured by its handler)', async () => {
    expect(await unary(shelves, 'DeleteShelf')).toEqual({ code: UNAUTHENTICATED, details: 'Jwt is missing' });
    expect((await unary(shelves, 'DeleteShelf', {}, bearerMetadata(accountToken()))).code).toBe(OK);
  });

  it('allow_without_credential: a call without a token passes with no user; a bad or unknown-issuer token is still refused', async () => {
    expect(await unary(health, 'Check')).toMatchObject({ code: OK, reply: { verified: false } });
    expect(await unary(health, 'Check', {}, bearerMetadata(accountToken()))).toMatchObject({ code: OK, reply: { verified: true, sub: ACCOUNT } });
    expect(await unary(health, 'Check', {}, bearerMetadata(accountToken({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 })))).toEqual({
      code: UNAUTHENTICATED,
      details: 'Jwt is expired',
    });
    expect(await unary(health, 'Check', {}, bearerMetadata(partnerToken('partner-a')))).toEqual({
      code: UNAUTHENTICATED,
      details: 'Jwt issuer is not configured',
    });
  });
});
