/**
 * gRPC's own service-account credentials against the callee: google-auth-library's `JWT` client, handed to grpc-js's
 * `credentials.createFromGoogleCredential` on a TLS channel whose authority is the service name, signs a token whose
 * `aud` is the service URL `https://SERVICE_NAME/test.auth.Shelves`. A definition that lists no audiences accepts it on
 * that service only: not on another service, not over HTTP (a hybrid app), not once the validated-token cache holds
 * it, and not where the definition or the method's rule lists audiences.
 */
import { generateKeyPairSync } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { GrpcMethod, type GrpcOptions, Transport } from '@nestjs/microservices';
import { JWT } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthCounters, EndpointsAuthModule, type JwtClaims, ServiceAccountTokenSource, UserInfo } from '../../lib/index.js';
import { selfSignedCertificate } from '../../sample/grpc/self-signed-certificate.js';
import { decodeJwt, makeAccount } from '../client/client-kit.js';
import { OK, PERMISSION_DENIED, replyOf } from '../grpc/grpc-kit.js';
import { ADAPTERS, type AdapterName, bearer, call, startAppWith } from '../support/app.js';
import { TEST_PROTO, type GrpcAnswer, freePort, unary } from '../support/grpc.js';
import { KeyServer } from '../support/key-server.js';

const SERVICE = 'shelves.endpoints.test-project.cloud.goog';
const SHELVES_URL = `https://${SERVICE}/test.auth.Shelves`;
const HEALTH_URL = `https://${SERVICE}/test.auth.Health`;
const AUDIENCE_NOT_ALLOWED = 'Audiences in Jwt are not allowed';
const account = makeAccount();

/** The TLS identity of the callee: grpc-js sends call credentials on secure channels only. */
const serverKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
const serverCertificate = selfSignedCertificate(serverKey, SERVICE);

/** The claims each gRPC handler was given, in call order. */
const seen: JwtClaims[] = [];

@Controller('shelves')
class ShelvesController {
  @Get()
  list(@UserInfo() user: JwtClaims) {
    return { sub: user.sub };
  }

  @GrpcMethod('Shelves', 'ListShelves')
  listGrpc(_request: unknown, @UserInfo() user: JwtClaims) {
    seen.push(user);
    return replyOf('ListShelves', user);
  }
}

@Controller()
class HealthController {
  @GrpcMethod('Health', 'Check')
  check(_request: unknown, @UserInfo() user: JwtClaims) {
    seen.push(user);
    return replyOf('Check', user);
  }

  @GrpcMethod('Health', 'Ping')
  ping(_request: unknown, @UserInfo() user: JwtClaims) {
    return replyOf('Ping', user);
  }
}

/**
 * A service config naming the account: every method requires its token, and `Health.Ping`'s rule lists its own
 * audience; `providerAudiences`, when given, is the provider's `audiences`.
 */
function serviceConfig(jwksUri: string, providerAudiences?: string) {
  return {
    type: 'google.api.Service',
    config_version: 3,
    name: SERVICE,
    authentication: {
      providers: [{ id: 'service_account', issuer: account.email, jwks_uri: jwksUri, ...(providerAudiences ? { audiences: providerAudiences } : {}) }],
      rules: [
        { selector: '*', requirements: [{ provider_id: 'service_account' }] },
        { selector: 'test.auth.Health.Ping', requirements: [{ provider_id: 'service_account', audiences: `https://${SERVICE}` }] },
      ],
    },
  };
}

/** A hybrid app (HTTP on `adapter`, gRPC over TLS with the global guard) guarded by `spec`. */
async function startHybrid(spec: object, adapter: AdapterName): Promise<{ app: INestApplication; url: string; address: string }> {
  @Module({ imports: [EndpointsAuthModule.forRoot({ spec })], controllers: [ShelvesController, HealthController] })
  class CalleeModule {}
  const address = `127.0.0.1:${await freePort()}`;
  const credentials = grpc.ServerCredentials.createSsl(null, [
    { private_key: Buffer.from(serverKey.export({ type: 'pkcs8', format: 'pem' }) as string), cert_chain: Buffer.from(serverCertificate) },
  ]);
  const { app, url } = await startAppWith(CalleeModule, adapter, {
    configure: (app) =>
      app.connectMicroservice<GrpcOptions>(
        { transport: Transport.GRPC, options: { package: 'test.auth', protoPath: TEST_PROTO, url: address, credentials } },
        { inheritAppConfig: true },
      ),
  });
  await app.startAllMicroservices();
  return { app, url, address };
}

/** What the credentials were last asked for: the service URL grpc-js computed, and the token the client signed. */
interface Signed {
  serviceUrl?: string;
  token?: string;
}

/**
 * google-auth-library 10 answers `getRequestHeaders` with a fetch `Headers`, which grpc-js 1.14 copies with
 * `Object.keys` and so sends nothing (grpc/grpc-node#2993): this hands grpc-js the same headers as a plain object, and
 * notes what was signed for the assertions (never printed).
 */
function googleCredential(client: JWT, signed: Signed) {
  return {
    async getRequestHeaders(serviceUrl?: string): Promise<Record<string, string>> {
      const headers = Object.fromEntries(await client.getRequestHeaders(serviceUrl));
      signed.serviceUrl = serviceUrl;
      signed.token = headers['authorization']?.replace(/^Bearer /, '');
      return headers;
    },
  };
}

/**
 * grpc-js clients of `test.auth.Shelves` and `test.auth.Health` on one TLS channel to `address` whose authority is the
 * service name (as a client of the deployed service has it), each call carrying the account's self-signed JWT; without
 * `signed`, calls carry only the metadata a test gives them.
 */
function clientsOf(address: string, signed?: Signed): { shelves: grpc.Client; health: grpc.Client } {
  const tls = grpc.credentials.createSsl(Buffer.from(serverCertificate));
  const jwt = new JWT({ email: account.email, key: account.keyFile['private_key'], keyId: account.keyId });
  const credentials = signed
    ? grpc.credentials.combineChannelCredentials(tls, grpc.credentials.createFromGoogleCredential(googleCredential(jwt, signed)))
    : tls;
  const options = { 'grpc.default_authority': SERVICE, 'grpc.ssl_target_name_override': SERVICE };
  const definition = protoLoader.loadSync(TEST_PROTO, { keepCase: true, defaults: true });
  const client = (name: string) =>
    new (grpc.makeGenericClientConstructor(definition[name] as grpc.ServiceDefinition, name))(address, credentials, options);
  return { shelves: client('test.auth.Shelves'), health: client('test.auth.Health') };
}

describe.each(ADAPTERS)('the gRPC service URL as audience (%s)', (adapter) => {
  const keys = new KeyServer();
  const jwksUri = () => `${keys.url}/x509/${account.email}`;
  let app: INestApplication;
  let url: string;
  let shelves: grpc.Client;
  let health: grpc.Client;
  /** Clients whose calls carry no credentials of their own, to replay a token as plain metadata. */
  let replay: { shelves: grpc.Client; health: grpc.Client };
  const signed: Signed = {};

  beforeAll(async () => {
    await keys.start();
    keys.set(`/x509/${account.email}`, { body: { [account.keyId]: account.certificate } });
    let address: string;
    ({ app, url, address } = await startHybrid(serviceConfig(jwksUri()), adapter));
    ({ shelves, health } = clientsOf(address, signed));
    replay = clientsOf(address);
  });
  afterAll(async () => {
    for (const client of [shelves, health, replay?.shelves, replay?.health]) client?.close();
    await app?.close();
    await keys.stop();
  });

  /** One call with the channel's credentials, and the token they signed for it. */
  const viaCredentials = async (client: grpc.Client, method: string): Promise<{ answer: GrpcAnswer; token: string; aud: unknown }> => {
    signed.token = undefined;
    const answer = await unary(client, method);
    expect(signed.token).toBeTypeOf('string');
    return { answer, token: signed.token!, aud: decodeJwt(signed.token!).payload['aud'] };
  };

  it('accepts the token grpc-js signs for the service called, whose aud is https://SERVICE_NAME/package.Service', async () => {
    const { answer, aud } = await viaCredentials(shelves, 'ListShelves');
    expect(signed.serviceUrl).toBe(SHELVES_URL);
    expect(aud).toBe(SHELVES_URL);
    expect(answer).toEqual({ code: OK, details: 'OK', reply: { method: 'ListShelves', sub: account.email, email: '', verified: true } });
    expect(seen.at(-1)?.aud).toBe(SHELVES_URL);
    // The other service's own URL is accepted there, on the same channel.
    const check = await viaCredentials(health, 'Check');
    expect(check.aud).toBe(HEALTH_URL);
    expect(check.answer).toMatchObject({ code: OK, reply: { method: 'Check', verified: true } });
  });

  it('refuses a token for one service on another service and over HTTP, from the validated-token cache too', async () => {
    const { token } = await viaCredentials(shelves, 'ListShelves');
    const counters = app.get(EndpointsAuthCounters);
    const before = counters.tokens();
    // The same token, cached by the call above, replayed as plain metadata on the Health service.
    expect(await unary(replay.health, 'Check', {}, { authorization: `Bearer ${token}` })).toEqual({ code: PERMISSION_DENIED, details: AUDIENCE_NOT_ALLOWED });
    const response = await call(`${url}/shelves`, { headers: bearer(token) });
    expect({ status: response.status, message: response.body?.message }).toEqual({ status: 403, message: AUDIENCE_NOT_ALLOWED });
    // Both refusals were cache hits: the cache re-judges the audience for the call at hand.
    expect(counters.tokens()).toEqual({ hits: before.hits + 2, misses: before.misses });
    // The token still passes where it was signed for.
    expect((await unary(replay.shelves, 'ListShelves', {}, { authorization: `Bearer ${token}` })).code).toBe(OK);
  });

  it('refuses a fresh token with the service URL over HTTP and on another service, and accepts it, trailing slash and all, on its own', async () => {
    const counters = app.get(EndpointsAuthCounters);
    const before = counters.tokens();
    // Signed by the library's own signer, so no call has cached it; the trailing `/` is dropped before comparing.
    const token = await new ServiceAccountTokenSource(account.keyFile).getToken(`${SHELVES_URL}/`);
    const response = await call(`${url}/shelves`, { headers: bearer(token) });
    expect({ status: response.status, message: response.body?.message }).toEqual({ status: 403, message: AUDIENCE_NOT_ALLOWED });
    expect(await unary(replay.health, 'Check', {}, { authorization: `Bearer ${token}` })).toEqual({ code: PERMISSION_DENIED, details: AUDIENCE_NOT_ALLOWED });
    expect(counters.tokens()).toEqual({ hits: before.hits, misses: before.misses + 2 });
    expect(await unary(replay.shelves, 'ListShelves', {}, { authorization: `Bearer ${token}` })).toMatchObject({ code: OK, reply: { verified: true } });
  });

  it('refuses the service URL where the method’s rule lists audiences (Health.Ping), which replace the definition’s', async () => {
    const { answer, aud } = await viaCredentials(health, 'Ping');
    expect(aud).toBe(HEALTH_URL);
    expect(answer).toEqual({ code: PERMISSION_DENIED, details: AUDIENCE_NOT_ALLOWED });
  });

  it('refuses the service URL when the definition lists audiences, even https://SERVICE_NAME itself', async () => {
    const listed = await startHybrid(serviceConfig(jwksUri(), `https://${SERVICE}`), adapter);
    const own: Signed = {};
    const clients = clientsOf(listed.address, own);
    try {
      const answer = await unary(clients.shelves, 'ListShelves');
      expect(decodeJwt(own.token!).payload['aud']).toBe(SHELVES_URL);
      expect(answer).toEqual({ code: PERMISSION_DENIED, details: AUDIENCE_NOT_ALLOWED });
    } finally {
      clients.shelves.close();
      clients.health.close();
      await listed.app.close();
    }
  });
});
