import type { INestApplication, NestApplicationOptions } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { AbstractHttpAdapter } from '@nestjs/core';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { applyEndpointsSecurity } from '../lib/index.js';
import { AppModule } from './app.module.js';
import { LocalIssuer } from './local-issuer/local-issuer.js';

/** A running Bookstore and what a caller needs to try it. */
export interface RunningBookstore {
  app: INestApplication;
  url: string;
  /** A token of the embedded issuer, accepted by the secured routes. */
  token: string;
  /** A token of the embedded issuer that expired an hour ago: 401 `TOKEN_EXPIRED`. */
  expiredToken: string;
  /** A token of the embedded issuer for another service: 403 `AUDIENCE_NOT_ALLOWED`. */
  otherAudienceToken: string;
}

/** The audience the sample's tokens carry: the spec's `host` as a URL. */
const AUDIENCE = 'https://bookstore.endpoints.YOUR-PROJECT.cloud.goog';

/** Starts the Bookstore on 127.0.0.1:`port` (0 picks a free port), on Express unless another adapter is given. */
export async function startBookstore(
  port: number,
  adapter?: AbstractHttpAdapter,
  options: NestApplicationOptions = {},
): Promise<RunningBookstore> {
  const app = adapter ? await NestFactory.create(AppModule, adapter, options) : await NestFactory.create(AppModule, options);
  app.enableShutdownHooks();
  // Swagger UI at /docs (JSON at /docs-json): made on first request, once the route table exists, and completed with
  // each route's security and the spec's schemes, so "Authorize" with a token of the local issuer works.
  const config = new DocumentBuilder().setTitle('Bookstore').setVersion('1.0.0').build();
  SwaggerModule.setup('docs', app, () => applyEndpointsSecurity(app, SwaggerModule.createDocument(app, config)), {
    jsonDocumentUrl: 'docs-json',
    // The UI's files need @fastify/static on Fastify, which the sample does not install: there, only the JSON.
    ui: app.getHttpAdapter().getType() !== 'fastify',
  });
  await app.listen(port, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  const issuer = app.get(LocalIssuer);
  // Without x-google-audiences, the local definition accepts the service name (`host`) as audience, as ESP does.
  const token = issuer.mint(AUDIENCE);
  // Issued two hours ago for one hour: expired an hour ago, far past the clock skew allowed.
  const expiredToken = issuer.mint(AUDIENCE, { iat: Math.floor(Date.now() / 1000) - 7200 }, -3600);
  const otherAudienceToken = issuer.mint('https://another-service.example.com');
  return { app, url, token, expiredToken, otherAudienceToken };
}
