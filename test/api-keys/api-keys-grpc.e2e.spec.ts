/**
 * API keys in a Nest gRPC microservice, called by a real grpc-js client over 127.0.0.1: a gRPC call has no query
 * string, so the key comes from its `x-api-key` metadata (or the definition's own header); failures are gRPC
 * UNAUTHENTICATED with Service Control's message.
 */
import type * as grpc from '@grpc/grpc-js';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type JwtClaims, Public, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { OK, UNAUTHENTICATED, replyOf } from '../grpc/grpc-kit.js';
import { bearerMetadata, grpcClients, startGrpcApp, unary } from '../support/grpc.js';
import { claims, signJwt } from '../support/keys.js';
import { GOOD_KEY, INVALID_MESSAGE, MISSING_MESSAGE, recordingValidator } from './api-keys-kit.js';

/** No decorator on Check: the spec's API-level security (an alpha token AND a key) applies; Ping is `@Public()`. */
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

describe('API keys in a gRPC microservice', () => {
  let issuers: Issuers;
  const started: { app: INestMicroservice; client: grpc.Client }[] = [];
  const validator = recordingValidator('async');
  const alpha = () => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', { email: 'a@example.com' }));

  /** A microservice whose API level is [{alpha: [], <keyName>: []}], with `definition` as that key's definition. */
  async function start(keyName: string, definition: Record<string, unknown>): Promise<grpc.Client> {
    const spec = openApi2(issuers, { security: [{ alpha: [], [keyName]: [] }] });
    Object.assign(spec.securityDefinitions, { [keyName]: definition });
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec, apiKeys: validator })], controllers: [HealthController] })
    class GrpcModule {}
    const { app, address } = await startGrpcApp(GrpcModule);
    const client = grpcClients(address).get('test.auth.Health')!;
    started.push({ app, client });
    return client;
  }

  let queryKey: grpc.Client;
  let headerKey: grpc.Client;

  beforeAll(async () => {
    issuers = await startIssuers();
    // The fixture's api_key reads query `key`: a gRPC call has none, so it sends x-api-key.
    queryKey = await start('api_key', { type: 'apiKey', name: 'key', in: 'query' });
    headerKey = await start('header_key', { type: 'apiKey', name: 'X-My-Key', in: 'header' });
  });
  afterAll(async () => {
    for (const { app, client } of started) {
      client.close();
      await app.close();
    }
    await issuers?.server.stop();
  });

  it('passes a call with a good token and the right x-api-key metadata, and hands the claims to the handler', async () => {
    const before = validator.calls.length;
    const answer = await unary(queryKey, 'Check', {}, { ...bearerMetadata(alpha()), 'x-api-key': GOOD_KEY });
    expect(answer).toEqual({ code: OK, details: 'OK', reply: { method: 'Check', sub: 'user-1', email: 'a@example.com', verified: true } });
    expect(validator.calls.slice(before)).toEqual([{ key: GOOD_KEY, handler: 'check', type: 'rpc' }]);
  });

  it('refuses a call without x-api-key metadata: UNAUTHENTICATED with Service Control’s message', async () => {
    expect(await unary(queryKey, 'Check', {}, bearerMetadata(alpha()))).toEqual({ code: UNAUTHENTICATED, details: MISSING_MESSAGE });
  });

  it('refuses a wrong key, and checks the token first', async () => {
    expect(await unary(queryKey, 'Check', {}, { ...bearerMetadata(alpha()), 'x-api-key': 'wrong' })).toEqual({
      code: UNAUTHENTICATED,
      details: INVALID_MESSAGE,
    });
    expect(await unary(queryKey, 'Check', {}, { 'x-api-key': GOOD_KEY })).toEqual({ code: UNAUTHENTICATED, details: 'Jwt is missing' });
  });

  it('reads a definition’s own header from the metadata, and only that', async () => {
    const ok = await unary(headerKey, 'Check', {}, { ...bearerMetadata(alpha()), 'x-my-key': GOOD_KEY });
    expect(ok.code).toBe(OK);
    expect(await unary(headerKey, 'Check', {}, { ...bearerMetadata(alpha()), 'x-api-key': GOOD_KEY })).toEqual({
      code: UNAUTHENTICATED,
      details: MISSING_MESSAGE,
    });
  });

  it('leaves a @Public() method open: no token, no key', async () => {
    expect(await unary(queryKey, 'Ping', {}, {})).toMatchObject({ code: OK, reply: { method: 'Ping', verified: false } });
  });
});
