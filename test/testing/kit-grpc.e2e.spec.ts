/**
 * The testing kit on a gRPC microservice: a kit token in the call's metadata passes the real guard under the service
 * configuration's rules, and a kit failure gets its real status.
 */
import type { INestMicroservice } from '@nestjs/common';
import { Controller, Module } from '@nestjs/common';
import { GrpcMethod, type GrpcOptions, Transport } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { EndpointsAuthTesting } from 'nestjs-endpoints-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type JwtClaims, UserInfo } from '../../lib/index.js';
import { OK, PERMISSION_DENIED, UNAUTHENTICATED, replyOf } from '../grpc/grpc-kit.js';
import { TEST_PROTO, freePort, grpcClients, unary } from '../support/grpc.js';

/** A service configuration as `gcloud endpoints deploy` takes it: every Shelves method needs a Firebase token. */
const SERVICE_CONFIG = {
  type: 'google.api.Service',
  config_version: 3,
  name: 'shelves.endpoints.test-project.cloud.goog',
  authentication: {
    providers: [
      {
        id: 'firebase',
        issuer: 'https://securetoken.google.com/test-project',
        jwks_uri: 'https://www.googleapis.com/service_accounts/v1/metadata/x509/securetoken@system.gserviceaccount.com',
        audiences: 'test-project',
      },
    ],
    rules: [{ selector: 'test.auth.Shelves.*', requirements: [{ provider_id: 'firebase' }] }],
  },
};

@Controller()
class ShelvesController {
  @GrpcMethod('Shelves', 'ListShelves')
  list(_request: unknown, _metadata: unknown, @UserInfo() claims: JwtClaims) {
    return replyOf('ListShelves', claims);
  }
}

@Module({ imports: [EndpointsAuthModule.forRoot({ spec: SERVICE_CONFIG })], controllers: [ShelvesController] })
class ShelvesModule {}

describe('the testing kit on a gRPC microservice', () => {
  const auth = new EndpointsAuthTesting();
  let app: INestMicroservice;
  let client: ReturnType<typeof grpcClients> extends Map<string, infer C> ? C : never;

  beforeAll(async () => {
    const url = `127.0.0.1:${await freePort()}`;
    const moduleRef = await auth.override(Test.createTestingModule({ imports: [ShelvesModule] })).compile();
    app = moduleRef.createNestMicroservice<GrpcOptions>({
      transport: Transport.GRPC,
      options: { package: 'test.auth', protoPath: TEST_PROTO, url },
      logger: false,
    });
    await app.listen();
    client = grpcClients(url).get('test.auth.Shelves')!;
  });
  afterAll(async () => {
    client?.close();
    await app?.close();
  });

  it('passes a call carrying a kit token in its metadata, with the claims it minted', async () => {
    const answer = await unary(client, 'ListShelves', {}, auth.header('firebase', { sub: 'u1', email: 'a@b.c' }));
    expect(answer).toEqual({ code: OK, details: 'OK', reply: { method: 'ListShelves', sub: 'u1', email: 'a@b.c', verified: true } });
  });

  it('gets the real refusals for the kit failures', async () => {
    expect(await unary(client, 'ListShelves', {}, auth.header('firebase', {}, 'expired'))).toMatchObject({
      code: UNAUTHENTICATED,
      details: 'Jwt is expired',
    });
    expect(await unary(client, 'ListShelves', {}, auth.header('firebase', {}, 'wrongAudience'))).toMatchObject({
      code: PERMISSION_DENIED,
      details: 'Audiences in Jwt are not allowed',
    });
    expect((await unary(client, 'ListShelves', {})).code).toBe(UNAUTHENTICATED);
  });
});
