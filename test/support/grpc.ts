import { fileURLToPath } from 'node:url';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { INestMicroservice, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type GrpcOptions, Transport } from '@nestjs/microservices';
import { freePort } from './ports.js';

export { freePort };

/** The proto of the gRPC e2e tests (package `test.auth`: services `Shelves` and `Health`). */
export const TEST_PROTO = fileURLToPath(new URL('../grpc/fixtures/shelves.proto', import.meta.url));


/** Boots `module` as a Nest gRPC microservice on 127.0.0.1 serving `protoPath`'s `pkg`; returns it and its address. */
export async function startGrpcApp(
  module: Type<unknown>,
  protoPath = TEST_PROTO,
  pkg = 'test.auth',
): Promise<{ app: INestMicroservice; address: string }> {
  const address = `127.0.0.1:${await freePort()}`;
  const app = await NestFactory.createMicroservice<GrpcOptions>(module, {
    transport: Transport.GRPC,
    options: { package: pkg, protoPath, url: address },
    logger: false,
  });
  await app.listen();
  return { app, address };
}

/** A grpc-js client of every service in `protoPath`, by full service name (`test.auth.Shelves`). */
export function grpcClients(address: string, protoPath = TEST_PROTO): Map<string, grpc.Client> {
  const definition = protoLoader.loadSync(protoPath, { keepCase: true, defaults: true });
  const clients = new Map<string, grpc.Client>();
  for (const [name, service] of Object.entries(definition)) {
    if (!('format' in service)) {
      const Client = grpc.makeGenericClientConstructor(service as grpc.ServiceDefinition, name);
      clients.set(name, new Client(address, grpc.credentials.createInsecure()));
    }
  }
  return clients;
}

/** How a unary call ended: status code (0 = OK), details, and the reply when OK. */
export interface GrpcAnswer {
  code: number;
  details: string;
  reply?: Record<string, unknown>;
}

/** One unary call with `metadata` (each value a string, or a list for a repeated key). */
export function unary(
  client: grpc.Client,
  method: string,
  request: Record<string, unknown> = {},
  metadata: Record<string, string | string[]> = {},
): Promise<GrpcAnswer> {
  const sent = new grpc.Metadata();
  for (const [key, value] of Object.entries(metadata)) for (const one of [value].flat()) sent.add(key, one);
  const call = (client as unknown as Record<string, Function>)[method];
  if (typeof call !== 'function') throw new Error(`no method ${method} on the client`);
  return new Promise((resolve) => {
    call.call(client, request, sent, { deadline: Date.now() + 10_000 }, (error: grpc.ServiceError | null, reply: Record<string, unknown>) => {
      resolve(error ? { code: error.code, details: error.details } : { code: grpc.status.OK, details: 'OK', reply });
    });
  });
}

/** `authorization: Bearer <token>` as gRPC metadata. */
export const bearerMetadata = (token: string) => ({ authorization: `Bearer ${token}` });
