import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { AppModule } from './app.module.js';
import { LocalIssuer } from './local-issuer/local-issuer.js';

/** A running Bookstore and what a caller needs to try it. */
export interface RunningBookstore {
  app: INestApplication;
  url: string;
  /** A token of the embedded issuer, accepted by the secured routes. */
  token: string;
}

/** Starts the Bookstore on 127.0.0.1:`port` (0 picks a free port), on Express unless another adapter is given. */
export async function startBookstore(
  port: number,
  adapter?: AbstractHttpAdapter,
  options: NestApplicationOptions = {},
): Promise<RunningBookstore> {
  const app = adapter ? await NestFactory.create(AppModule, adapter, options) : await NestFactory.create(AppModule, options);
  app.enableShutdownHooks();
  await app.listen(port, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  // Without x-google-audiences, the local definition accepts the service name (`host`) as audience, as ESP does.
  const token = app.get(LocalIssuer).mint('https://bookstore.endpoints.YOUR-PROJECT.cloud.goog');
  return { app, url, token };
}
