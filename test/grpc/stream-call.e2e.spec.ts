/**
 * `@GrpcStreamCall` (pass-through) handlers behind the guard, with a real grpc-js client over 127.0.0.1. Nest runs
 * them in an async function whose promise grpc-js ignores, so a guard that threw there used to leave the caller
 * without a status and the process with an unhandled rejection; the guard now ends such a call with the status.
 */
import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import { Controller, type INestMicroservice, Module } from '@nestjs/common';
import { GrpcStreamCall } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, Secured } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { bearerMetadata, grpcClients, startGrpcApp } from '../support/grpc.js';
import { claims, nowSeconds, signJwt } from '../support/keys.js';
import { OK, PERMISSION_DENIED, UNAUTHENTICATED } from './grpc-kit.js';

const PROTO = fileURLToPath(new URL('./fixtures/streams.proto', import.meta.url));

type Chunk = { text: string };

@Secured('alpha')
@Controller()
class StreamsController {
  @GrpcStreamCall('Streams', 'Upload')
  upload(call: grpc.ServerReadableStream<Chunk, unknown>, callback: grpc.sendUnaryData<unknown>) {
    let count = 0;
    call.on('data', () => count++);
    call.on('end', () => callback(null, { count, sub: '' }));
  }

  @GrpcStreamCall('Streams', 'Chat')
  chat(call: grpc.ServerDuplexStream<Chunk, Chunk>) {
    call.on('data', (chunk: Chunk) => call.write({ text: `echo ${chunk.text}` }));
    call.on('end', () => call.end());
  }
}

interface StreamAnswer {
  code: number;
  details: string;
  replies: unknown[];
}

/** A client stream of `texts`; resolves with the status and the reply. */
function upload(client: grpc.Client, metadata: Record<string, string>, texts: string[]): Promise<StreamAnswer> {
  return new Promise((resolve) => {
    const call = (client as unknown as Record<string, Function>)['Upload'].call(
      client,
      toMetadata(metadata),
      { deadline: Date.now() + 5000 },
      (error: grpc.ServiceError | null, reply: unknown) =>
        resolve(error ? { code: error.code, details: error.details, replies: [] } : { code: OK, details: 'OK', replies: [reply] }),
    ) as grpc.ClientWritableStream<Chunk>;
    call.on('error', () => undefined);
    for (const text of texts) call.write({ text });
    call.end();
  });
}

/** A bidi stream of `texts`; resolves with the status and every reply. */
function chat(client: grpc.Client, metadata: Record<string, string>, texts: string[]): Promise<StreamAnswer> {
  return new Promise((resolve) => {
    const replies: unknown[] = [];
    const call = (client as unknown as Record<string, Function>)['Chat'].call(client, toMetadata(metadata), {
      deadline: Date.now() + 5000,
    }) as grpc.ClientDuplexStream<Chunk, Chunk>;
    call.on('data', (reply: Chunk) => replies.push(reply));
    call.on('error', () => undefined);
    call.on('status', (status: grpc.StatusObject) => resolve({ code: status.code, details: status.details, replies }));
    for (const text of texts) call.write({ text });
    call.end();
  });
}

function toMetadata(values: Record<string, string>): grpc.Metadata {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(values)) metadata.set(key, value);
  return metadata;
}

describe('@GrpcStreamCall handlers behind the guard', () => {
  let issuers: Issuers;
  let app: INestMicroservice;
  let client: grpc.Client;
  const rejections: unknown[] = [];
  const onRejection = (reason: unknown) => rejections.push(reason);
  const token = (overrides: Record<string, unknown> = {}) =>
    signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', overrides));

  beforeAll(async () => {
    process.on('unhandledRejection', onRejection);
    issuers = await startIssuers();
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) })], controllers: [StreamsController] })
    class StreamsModule {}
    let address: string;
    ({ app, address } = await startGrpcApp(StreamsModule, PROTO, 'test.streams'));
    client = grpcClients(address, PROTO).get('test.streams.Streams')!;
  });
  afterAll(async () => {
    process.off('unhandledRejection', onRejection);
    client?.close();
    await app?.close();
    await issuers?.server.stop();
  });

  it('runs a client stream and a bidi stream for a good token', async () => {
    expect(await upload(client, bearerMetadata(token()), ['a', 'b', 'c'])).toEqual({
      code: OK,
      details: 'OK',
      replies: [{ count: 3, sub: '' }],
    });
    expect(await chat(client, bearerMetadata(token()), ['a', 'b'])).toEqual({
      code: OK,
      details: 'OK',
      replies: [{ text: 'echo a' }, { text: 'echo b' }],
    });
  });

  it.each([
    ['no token', () => ({}), UNAUTHENTICATED, 'Jwt is missing'],
    ['an expired token', () => bearerMetadata(token({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 })), UNAUTHENTICATED, 'Jwt is expired'],
    ['a token for another audience', () => bearerMetadata(token({ aud: 'someone-else' })), PERMISSION_DENIED, 'Audiences in Jwt are not allowed'],
  ])('ends both streams with the status for %s, without running the handler or leaving a rejection', async (_label, metadata, code, details) => {
    expect(await upload(client, metadata(), ['a'])).toEqual({ code, details, replies: [] });
    expect(await chat(client, metadata(), ['a'])).toEqual({ code, details, replies: [] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(rejections).toEqual([]);
  });
});
