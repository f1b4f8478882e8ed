/**
 * gRPC service to service: a caller puts `authorizationMetadata()` on a grpc-js call, and a Nest gRPC microservice
 * guarded by a service configuration naming the account accepts it (the account's X.509 map on 127.0.0.1); with
 * `header: 'x-serverless-authorization'` the entry goes where Cloud Run's IAM check reads it, next to the app's own.
 */
import * as grpc from '@grpc/grpc-js';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type JwtClaims, ServiceAccountTokenSource, UserInfo, authorizationMetadata } from '../../lib/index.js';
import { replyOf } from '../grpc/grpc-kit.js';
import { grpcClients, startGrpcApp } from '../support/grpc.js';
import { KeyServer } from '../support/key-server.js';
import { makeAccount } from './client-kit.js';

const SERVICE = 'shelves.endpoints.test-project.cloud.goog';
const account = makeAccount();
const runCaller = makeAccount('run-caller@test-project.iam.gserviceaccount.com');

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

describe('a service-account token as gRPC call metadata', () => {
  const keys = new KeyServer();
  let app: INestMicroservice;
  let client: grpc.Client;

  beforeAll(async () => {
    await keys.start();
    keys.set(`/x509/${account.email}`, { body: { [account.keyId]: account.certificate } });
    keys.set(`/x509/${runCaller.email}`, { body: { [runCaller.keyId]: runCaller.certificate } });
    const spec = {
      type: 'google.api.Service',
      config_version: 3,
      name: SERVICE,
      authentication: {
        providers: [
          { id: 'service_account', issuer: account.email, jwks_uri: `${keys.url}/x509/${account.email}` },
          {
            id: 'cloud_run_iam',
            issuer: runCaller.email,
            jwks_uri: `${keys.url}/x509/${runCaller.email}`,
            jwt_locations: [{ header: 'x-serverless-authorization', value_prefix: 'Bearer ' }],
          },
        ],
        rules: [
          { selector: '*', requirements: [{ provider_id: 'service_account' }] },
          { selector: 'test.auth.Shelves.GetShelf', requirements: [{ provider_id: 'cloud_run_iam' }] },
        ],
      },
    };
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec })], controllers: [ShelvesController] })
    class CalleeModule {}
    let address: string;
    ({ app, address } = await startGrpcApp(CalleeModule));
    client = grpcClients(address).get('test.auth.Shelves')!;
  });
  afterAll(async () => {
    client?.close();
    await app?.close();
    await keys.stop();
  });

  const callWith = (method: 'ListShelves' | 'GetShelf', metadata: grpc.Metadata) =>
    new Promise<{ code: number; reply?: Record<string, unknown> }>((resolve) => {
      (client as unknown as Record<string, Function>)[method]!.call(client, {}, metadata, { deadline: Date.now() + 10_000 }, (error: grpc.ServiceError | null, reply: Record<string, unknown>) =>
        resolve(error ? { code: error.code } : { code: grpc.status.OK, reply }),
      );
    });
  const listShelves = (metadata: grpc.Metadata) => callWith('ListShelves', metadata);

  it('is accepted with the audience https://SERVICE_NAME, and refused without the metadata', async () => {
    const metadata = new grpc.Metadata();
    await authorizationMetadata(new ServiceAccountTokenSource(account.keyFile), `https://${SERVICE}`, metadata);
    expect(await listShelves(metadata)).toEqual({
      code: grpc.status.OK,
      reply: { method: 'ListShelves', sub: account.email, email: account.email, verified: true },
    });
    expect((await listShelves(new grpc.Metadata())).code).toBe(grpc.status.UNAUTHENTICATED);
  });

  it('with header x-serverless-authorization, sets that entry and keeps the authorization already on the metadata', async () => {
    const source = new ServiceAccountTokenSource(runCaller.keyFile);
    const metadata = new grpc.Metadata();
    metadata.set('authorization', 'Bearer app-user-token');
    const entry = await authorizationMetadata(source, `https://${SERVICE}`, metadata, { header: 'x-serverless-authorization' });
    expect(Object.keys(entry)).toEqual(['x-serverless-authorization']);
    expect(metadata.get('authorization')).toEqual(['Bearer app-user-token']);
    expect(await callWith('GetShelf', metadata)).toEqual({
      code: grpc.status.OK,
      reply: { method: 'GetShelf', sub: runCaller.email, email: runCaller.email, verified: true },
    });
    // In authorization (the default) the token is not where this provider looks.
    const elsewhere = new grpc.Metadata();
    await authorizationMetadata(source, `https://${SERVICE}`, elsewhere);
    expect((await callWith('GetShelf', elsewhere)).code).toBe(grpc.status.UNAUTHENTICATED);
  });
});
