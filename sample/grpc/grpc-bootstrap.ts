import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { INestMicroservice, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { type GrpcOptions, Transport } from '@nestjs/microservices';
import { BookstoreService } from '../shelves/bookstore.service.js';
import { BOOKSTORE_PACKAGE, BOOKSTORE_PROTO, LOADER_OPTIONS } from './bookstore-proto.js';
import { GrpcBookstoreModule } from './grpc-bookstore.module.js';
import { LocalServiceAccount } from './local-service-account.js';

/** A running gRPC Bookstore and what a caller needs to try it. */
export interface RunningGrpcBookstore {
  app: INestMicroservice;
  /** `127.0.0.1:<port>`, for a gRPC client. */
  address: string;
  /** A token of the embedded service account, accepted by every method. */
  token: string;
}

/**
 * Starts the gRPC Bookstore on 127.0.0.1:`port` (0 picks a free port) over `bookstore`.
 *
 * It is a Nest microservice of its own rather than one connected to the REST app (`connectMicroservice`), because a
 * module instance enforces one spec: in one hybrid app the REST app's openapi.yaml would also guard the gRPC methods
 * (an OpenAPI document's paths never match a gRPC method, so its top-level `security` would apply), and the service
 * configuration's rules would not be read at all. Two apps in one process mirror two ESPv2 deployments, each with its
 * own configuration; the library keeps their strategies and keys apart.
 */
export async function startGrpcBookstore(
  port: number,
  bookstore = new BookstoreService(),
  options: Pick<NestApplicationOptions, 'logger'> = {},
): Promise<RunningGrpcBookstore> {
  const address = `127.0.0.1:${port || (await freePort())}`;
  const app = await NestFactory.createMicroservice<GrpcOptions>(GrpcBookstoreModule.over(bookstore), {
    ...options,
    transport: Transport.GRPC,
    options: { package: BOOKSTORE_PACKAGE, protoPath: BOOKSTORE_PROTO, url: address, loader: LOADER_OPTIONS },
  });
  app.enableShutdownHooks();
  await app.listen();
  // Without `audiences`, the local provider accepts the service name (the config's `name`) as audience, as ESPv2 does.
  const token = app.get(LocalServiceAccount).mint('https://bookstore.endpoints.YOUR-PROJECT.cloud.goog');
  return { app, address, token };
}

/** A port nobody listens on now: Nest's gRPC server binds the port it is given but cannot report one it picked. */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}
