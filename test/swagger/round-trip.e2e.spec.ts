/**
 * The done-criterion of Swagger support: an app's decorators → the Swagger document → `applyEndpointsSecurity` →
 * an Endpoints document (OpenAPI 2 and 3) on disk → `EndpointsAuthModule.forRoot(file)` in an app with the same routes
 * and no decorators gives every route the same requirement, and real requests the same statuses.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Delete, Get, type INestApplication, Logger, Module, Post, type Type } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { parse } from 'yaml';
import {
  EndpointsAuthModule,
  Public,
  RouteRequirements,
  type RouteSecurity,
  Secured,
  applyEndpointsSecurity,
  writeEndpointsDocument,
} from '../../lib/index.js';
import { OPTIONAL_NOTE } from '../../lib/swagger/optional-alternative.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, call, startApp } from '../support/app.js';
import { type TestKey, claims, makeKey, signJwt } from '../support/keys.js';

const none = () => () => undefined;

/** The same routes, with the decorators (`decorated`) or without any. */
function controllersOf(decorated: boolean): Type<unknown>[] {
  const on = <T>(decorator: T) => (decorated ? decorator : (none() as T));
  @on(Secured('alpha'))
  @Controller('shelves')
  class ShelvesController {
    @Get()
    list() {
      return 'list';
    }

    @on(Secured('beta'))
    @Get(':shelf')
    get() {
      return 'get';
    }

    @on(Secured('alpha', 'gamma'))
    @Delete(':shelf')
    remove() {
      return 'removed';
    }

    @on(Public())
    @Get(':shelf/cover')
    cover() {
      return 'cover';
    }

    @on(Secured('gamma', { optional: true }))
    @Post()
    create() {
      return 'created';
    }
  }

  @on(Public())
  @Controller('health')
  class HealthController {
    @Get()
    check() {
      return 'ok';
    }
  }

  // Undecorated in both apps: the spec's API level decides.
  @Controller('books')
  class BooksController {
    @Get(':book')
    get() {
      return 'book';
    }
  }
  return [ShelvesController, HealthController, BooksController];
}

/** The original spec: definitions (one reading its token from a query parameter) and an API-level requirement. */
function specOf(issuers: Issuers, gamma: { jwksUri: string }) {
  const base = openApi2(issuers);
  return {
    ...base,
    security: [{ beta: [] }],
    securityDefinitions: {
      alpha: base.securityDefinitions.alpha,
      beta: base.securityDefinitions.beta,
      gamma: {
        type: 'oauth2',
        flow: 'implicit',
        authorizationUrl: '',
        'x-google-issuer': 'https://gamma.example.com',
        'x-google-jwks_uri': gamma.jwksUri,
        'x-google-audiences': 'gamma-audience',
        'x-google-jwt-locations': [{ query: 'jwt' }, { header: 'X-Gamma', value_prefix: 'Token ' }],
      },
    },
  };
}

/** A row's requirement as compared: its providers (in order) and whether a missing token passes. */
const shape = (row: RouteSecurity) => ({
  method: row.method,
  path: row.path,
  providers: row.requirement?.providers ?? [],
  optional: row.requirement?.optional ?? false,
});

describe.each(ADAPTERS)('the Swagger round trip on %s', (adapter) => {
  const apps = new Apps();
  let issuers: Issuers;
  let gammaKey: TestKey;
  let directory: string;
  let original: { app: INestApplication; url: string };
  const written: Record<'2.0' | '3.0', { file: string; app: INestApplication; url: string; warnings: string[] }> = {} as never;

  beforeAll(async () => {
    issuers = await startIssuers();
    gammaKey = makeKey('EdDSA', 'gamma-1');
    issuers.server.jwks('/gamma/jwks', [gammaKey.jwk]);
    const spec = specOf(issuers, { jwksUri: `${issuers.server.url}/gamma/jwks` });
    directory = mkdtempSync(join(tmpdir(), 'endpoints-swagger-'));
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec })], controllers: controllersOf(true) })
    class DecoratedModule {}
    original = apps.track(await startApp(DecoratedModule, adapter));
    const document = applyEndpointsSecurity(original.app, SwaggerModule.createDocument(original.app, new DocumentBuilder().build()));
    for (const openapi of ['2.0', '3.0'] as const) {
      const file = join(directory, `openapi-${openapi}.yaml`);
      writeEndpointsDocument(original.app, document, file, { openapi });
      const warnings: string[] = [];
      const warn = vi.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => void warnings.push(String(message)));
      try {
        @Module({ imports: [EndpointsAuthModule.forRoot(file)], controllers: controllersOf(false) })
        class LoadedModule {}
        written[openapi] = { file, warnings, ...apps.track(await startApp(LoadedModule, adapter)) };
      } finally {
        warn.mockRestore();
      }
    }
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
    if (directory) rmSync(directory, { recursive: true, force: true });
  });

  const tableOf = (app: INestApplication) => app.get(RouteRequirements).routeTable().map(shape);

  it.each(['2.0', '3.0'] as const)('OpenAPI %s: every route gets the same providers; only the optional token becomes required', (openapi) => {
    const expected = tableOf(original.app).map((row) => (row.path === '/shelves' && row.method === 'POST' ? { ...row, optional: false } : row));
    expect(tableOf(written[openapi].app)).toEqual(expected);
    // The table holds what the test means to cover.
    expect(expected).toEqual(
      expect.arrayContaining([
        { method: 'GET', path: '/shelves', providers: ['alpha'], optional: false },
        { method: 'GET', path: '/shelves/:shelf', providers: ['beta'], optional: false },
        { method: 'DELETE', path: '/shelves/:shelf', providers: ['alpha', 'gamma'], optional: false },
        { method: 'GET', path: '/shelves/:shelf/cover', providers: [], optional: false },
        { method: 'GET', path: '/health', providers: [], optional: false },
        { method: 'GET', path: '/books/:book', providers: ['beta'], optional: false },
      ]),
    );
  });

  it.each(['2.0', '3.0'] as const)('OpenAPI %s: the document loads without a warning', (openapi) => {
    // Three apps in one process share the definitions' Passport names: that warning is about the test, not the spec.
    const shared = /is registered by \d+ apps in this process/;
    expect(written[openapi].warnings.filter((message) => !shared.test(message))).toEqual([]);
    expect(written[openapi].warnings.length).toBeGreaterThan(0);
  });

  it.each(['2.0', '3.0'] as const)('OpenAPI %s: real requests get the same statuses from both apps', async (openapi) => {
    const alpha = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));
    const beta = signJwt(issuers.beta.key, claims(issuers.beta.issuer, `https://${issuers.service}`));
    const gamma = signJwt(gammaKey, claims('https://gamma.example.com', 'gamma-audience'));
    const tries: [string, string, Record<string, string>?][] = [
      ['GET', '/shelves', bearer(alpha)],
      ['GET', '/shelves', bearer(beta)],
      ['GET', '/shelves'],
      ['GET', '/shelves/1', bearer(beta)],
      ['GET', '/shelves/1', bearer(alpha)],
      ['DELETE', '/shelves/1', bearer(alpha)],
      ['DELETE', '/shelves/1?jwt=' + gamma],
      ['DELETE', '/shelves/1', { 'x-gamma': `Token ${gamma}` }],
      ['DELETE', '/shelves/1', bearer(gamma)],
      ['GET', '/shelves/1/cover'],
      ['GET', '/health'],
      ['GET', '/books/1', bearer(beta)],
      ['GET', '/books/1', bearer(alpha)],
      ['POST', '/shelves?jwt=' + gamma],
    ];
    for (const [method, path, headers] of tries) {
      const before = await call(`${original.url}${path}`, { method, headers });
      const after = await call(`${written[openapi].url}${path}`, { method, headers });
      expect({ method, path: path.split('?')[0], status: after.status }).toEqual({ method, path: path.split('?')[0], status: before.status });
    }
    // Statuses that show the check can fail: not every call above succeeds.
    expect((await call(`${written[openapi].url}/shelves/1`, { headers: bearer(alpha) })).status).toBe(401);
    expect((await call(`${written[openapi].url}/shelves/1`, { method: 'DELETE', headers: bearer(gamma) })).status).toBe(401);
  });

  it('the optional token: the app lets a request without one through, the written document (as ESP) does not, and says why', async () => {
    expect((await call(`${original.url}/shelves`, { method: 'POST' })).status).toBe(201);
    for (const openapi of ['2.0', '3.0'] as const) {
      expect((await call(`${written[openapi].url}/shelves`, { method: 'POST' })).status).toBe(401);
      const document = parse(readFileSync(written[openapi].file, 'utf8'));
      expect(document.paths['/shelves'].post).toMatchObject({ security: [{ gamma: [] }], description: OPTIONAL_NOTE });
    }
  });

  it('writes ESP’s OpenAPI 2 form and Endpoints’ OpenAPI 3 form', () => {
    const two = parse(readFileSync(written['2.0'].file, 'utf8'));
    expect(two).toMatchObject({ swagger: '2.0', host: issuers.service });
    expect(two.securityDefinitions.gamma).toEqual({
      type: 'oauth2',
      flow: 'implicit',
      authorizationUrl: '',
      'x-google-issuer': 'https://gamma.example.com',
      'x-google-jwks_uri': `${issuers.server.url}/gamma/jwks`,
      'x-google-audiences': 'gamma-audience',
      'x-google-jwt-locations': [{ query: 'jwt' }, { header: 'X-Gamma', value_prefix: 'Token ' }],
      description: 'A JWT of https://gamma.example.com.',
    });
    const three = parse(readFileSync(written['3.0'].file, 'utf8'));
    expect(three).toMatchObject({
      servers: [{ url: `https://${issuers.service}`, 'x-google-endpoint': {} }],
      'x-google-api-management': {},
    });
    expect(three.components.securitySchemes.gamma).toMatchObject({
      type: 'oauth2',
      'x-google-auth': {
        issuer: 'https://gamma.example.com',
        jwksUri: `${issuers.server.url}/gamma/jwks`,
        audiences: ['gamma-audience'],
        jwtLocations: [{ query: 'jwt' }, { header: 'X-Gamma', valuePrefix: 'Token ' }],
      },
    });
    expect(three.components.securitySchemes.beta['x-google-auth']).not.toHaveProperty('audiences');
  });
});
