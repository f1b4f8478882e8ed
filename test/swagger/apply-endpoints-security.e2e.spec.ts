/**
 * `applyEndpointsSecurity` completes the Swagger document from the guard's route table (decorators, the spec's
 * operations, its API level) and from the spec's definitions, matching operations to routes on both routers.
 */
import { randomBytes } from 'node:crypto';
import { Controller, Get, type INestApplication, Module, Post, VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type OpenApiDocument, Secured, applyEndpointsSecurity } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, startApp } from '../support/app.js';

@Controller({ path: 'shelves', version: '1' })
class ShelvesController {
  @Get()
  list() {
    return [];
  }

  @Get(':shelf')
  get() {
    return 'shelf';
  }

  @Post()
  create() {
    return 'created';
  }

  @Secured('beta')
  @Get(':shelf/books')
  books() {
    return [];
  }
}

@Controller({ path: 'keys', version: '1' })
class KeysController {
  @Get()
  list() {
    return [];
  }
}

const SECRET = randomBytes(32).toString('base64');

function specOf(issuers: Issuers) {
  const base = openApi2(issuers);
  return {
    ...base,
    basePath: '/api',
    security: [{ alpha: [] }, { beta: [] }],
    securityDefinitions: {
      ...base.securityDefinitions,
      hmac: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': 'https://hmac.example.com', 'x-google-jwks_uri': SECRET, 'x-google-audiences': 'hmac-aud' },
      by_query: {
        type: 'oauth2',
        flow: 'implicit',
        authorizationUrl: '',
        'x-google-issuer': 'https://query.example.com',
        'x-google-jwks_uri': `${issuers.server.url}/query/jwks`,
        'x-google-audiences': 'query-aud',
        'x-google-jwt-locations': [{ query: 'jwt' }],
      },
      by_header: {
        type: 'oauth2',
        flow: 'implicit',
        authorizationUrl: '',
        'x-google-issuer': 'https://header.example.com',
        'x-google-jwks_uri': `${issuers.server.url}/header/jwks`,
        'x-google-audiences': 'header-aud',
        'x-google-jwt-locations': [{ header: 'X-Token', value_prefix: 'Token ' }],
      },
    },
    paths: {
      '/v1/shelves': { get: { security: [] }, post: { security: [{ hmac: [] }] } },
      '/v1/shelves/{shelf}': { get: { security: [{ by_query: [] }, { by_header: [] }] } },
      '/v1/keys': { get: { security: [{ alpha: [], api_key: [] }] } },
    },
  };
}

describe.each(ADAPTERS)('applyEndpointsSecurity on %s', (adapter) => {
  let issuers: Issuers;
  let app: INestApplication;
  let document: OpenApiDocument & { paths: Record<string, Record<string, Record<string, unknown>>>; components: any };
  let served: string;

  beforeAll(async () => {
    issuers = await startIssuers();
    @Module({
      imports: [EndpointsAuthModule.forRoot({ spec: specOf(issuers), apiKeys: { validate: () => true } })],
      controllers: [ShelvesController, KeysController],
    })
    class AppModule {}
    ({ app } = await startApp(AppModule, adapter, (created) => {
      created.setGlobalPrefix('api');
      created.enableVersioning({ type: VersioningType.URI });
    }));
    const created = SwaggerModule.createDocument(app, new DocumentBuilder().build()) as never;
    // A hand-written operation no route serves is left alone.
    (created as OpenApiDocument).paths['/elsewhere'] = { get: { responses: {}, security: [{ mine: [] }] } };
    served = JSON.stringify(created);
    document = applyEndpointsSecurity(app, created);
  });
  afterAll(async () => {
    await app?.close();
    await issuers?.server.stop();
  });

  it('gives undecorated routes the spec operation’s security, the API level where the spec has none, and keeps decorators', () => {
    expect(document.paths['/api/v1/shelves']!['get']!['security']).toEqual([]);
    expect(document.paths['/api/v1/shelves']!['post']!['security']).toEqual([{ hmac: [] }]);
    expect(document.paths['/api/v1/shelves/{shelf}']!['get']!['security']).toEqual([{ by_query: [] }, { by_header: [] }]);
    expect(document.paths['/api/v1/shelves/{shelf}/books']!['get']!['security']).toEqual([{ beta: [] }]);
  });

  it('names the apiKey definition beside the token when the spec asks for a key', () => {
    expect(document.paths['/api/v1/keys']!['get']!['security']).toEqual([{ alpha: [], api_key: [] }]);
  });

  it('leaves an operation that no route serves as it was', () => {
    expect(document.paths['/elsewhere']!['get']!['security']).toEqual([{ mine: [] }]);
  });

  it('adds each definition as a scheme Swagger UI can authorize with, carrying its x-google-* members', () => {
    const schemes = document.components.securitySchemes;
    expect(schemes.alpha).toEqual({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
      'x-google-issuer': issuers.alpha.issuer,
      'x-google-jwks_uri': issuers.alpha.jwksUri,
      // Audiences as the module compares them (ESP's sanitising drops the scheme and a trailing slash).
      'x-google-audiences': 'alpha-audience,second.example.com',
      description: `A JWT of ${issuers.alpha.issuer}.`,
    });
    // beta lists no audiences: ESP's default (https://SERVICE_NAME) applies, so none is written.
    expect(schemes.beta).not.toHaveProperty('x-google-audiences');
    expect(schemes.by_query).toMatchObject({ type: 'apiKey', in: 'query', name: 'jwt', 'x-google-jwt-locations': [{ query: 'jwt' }] });
    expect(schemes.by_header).toMatchObject({
      type: 'apiKey',
      in: 'header',
      name: 'X-Token',
      'x-google-jwt-locations': [{ header: 'X-Token', value_prefix: 'Token ' }],
    });
    expect(schemes.by_header.description).toContain('Paste the token after "Token "');
    expect(schemes.api_key).toEqual({ type: 'apiKey', in: 'query', name: 'key' });
  });

  it('never copies a symmetric key written in the spec, and says so', () => {
    const hmac = document.components.securitySchemes.hmac;
    expect(hmac).not.toHaveProperty('x-google-jwks_uri');
    expect(hmac.description).toMatch(/symmetric key .* left out/);
    expect(JSON.stringify(document)).not.toContain(SECRET);
    expect(JSON.stringify(document)).not.toContain(Buffer.from(SECRET, 'base64').toString('base64url'));
    expect(served).not.toContain(SECRET);
  });
});

describe('applyEndpointsSecurity, misused', () => {
  it('refuses a document made before the route table exists (before app.init()), saying what to do', async () => {
    const issuers = await startIssuers();
    @Controller('shelves')
    class EarlyController {
      @Get()
      list() {
        return [];
      }
    }
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) })], controllers: [EarlyController] })
    class EarlyModule {}
    const app = await NestFactory.create(EarlyModule, new ExpressAdapter(), { logger: false });
    try {
      const document = SwaggerModule.createDocument(app, new DocumentBuilder().build());
      expect(() => applyEndpointsSecurity(app, document)).toThrow(/route table is empty; call it after app\.init\(\)/);
    } finally {
      await app.close();
      await issuers.server.stop();
    }
  });

  it('refuses an app without EndpointsAuthModule', async () => {
    @Module({})
    class BareModule {}
    const { app } = await startApp(BareModule, 'express');
    try {
      expect(() => applyEndpointsSecurity(app, { openapi: '3.0.0', info: {}, paths: {} })).toThrow(/does not import EndpointsAuthModule/);
    } finally {
      await app.close();
    }
  });
});
