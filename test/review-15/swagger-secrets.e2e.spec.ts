import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS_AUTH_SPEC } from '../../lib/endpoints-auth.constants.js';
import type { ResolvedSpec } from '../../lib/api-config/resolved-spec.js';
import { EndpointsAuthModule, type OpenApiDocument, Secured, applyEndpointsSecurity, writeEndpointsDocument } from '../../lib/index.js';
import { KeyServer } from '../support/key-server.js';
import { ADAPTERS, Apps, call, startApp } from '../support/app.js';
import { makeKey } from '../support/keys.js';

/**
 * Review of issue 15, Swagger: the document an app serves to anyone never carries a secret of its spec — a symmetric
 * key (base64, base64url, padded), an API key, credentials or a query in a key URL — and the OpenAPI 2 document the
 * writer makes loads back through EndpointsAuthModule.forRoot with the same API keys, token locations and audiences.
 */

const SECRET_32 = Buffer.alloc(32, 0xfb);
const SECRET_48 = Buffer.alloc(48, 0xfe);
const SECRET_64 = Buffer.alloc(64, 0x3f);
const PASSWORD = 'pa55-word-secret';
const QUERY_KEY = 'AIzaQueryKeySecret123';

let keyServer: KeyServer;

beforeAll(async () => {
  keyServer = await new KeyServer().start();
  keyServer.jwks('/jwks', [makeKey('RS256', 'k1').jwk]);
});
afterAll(() => keyServer?.stop());

function spec() {
  const host = new URL(keyServer.url).host;
  const definition = (issuer: string, keys: string, extra: Record<string, unknown> = {}) => ({ type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': issuer, 'x-google-jwks_uri': keys, ...extra });
  return {
    swagger: '2.0',
    info: { title: 'secrets', version: '1' },
    host: 'api.example.com',
    securityDefinitions: {
      hs_base64: definition('https://hs1.example.com', SECRET_32.toString('base64'), { 'x-google-audiences': 'a' }),
      hs_base64url: definition('https://hs2.example.com', SECRET_48.toString('base64url'), { 'x-google-audiences': 'a' }),
      hs_padded: definition('https://hs3.example.com', SECRET_64.toString('base64'), { 'x-google-audiences': 'a' }),
      with_password: definition('https://pw.example.com', `http://user:${PASSWORD}@${host}/jwks`, { 'x-google-audiences': 'a' }),
      with_query: definition('https://q.example.com', `http://${host}/jwks?key=${QUERY_KEY}`, { 'x-google-audiences': 'a' }),
      custom: definition('https://custom.example.com', `${keyServer.url}/jwks`, {
        'x-google-audiences': 'aud-1, https://aud-2.example.com/',
        'x-google-jwt-locations': [{ header: 'X-Token', value_prefix: 'Token ' }, { query: 'jwt' }],
      }),
      api_key: { type: 'apiKey', name: 'x-api-key', in: 'header' },
      api_key_query: { type: 'apiKey', name: 'key', in: 'query' },
    },
    paths: {},
  };
}

@Controller()
class Routes {
  @Get('/all')
  @Secured('hs_base64', 'hs_base64url', 'hs_padded', 'with_password', 'with_query', 'custom')
  all() {
    return {};
  }
}

/** Every spelling a leaked secret could take in the served JSON. */
function secretSpellings(): string[] {
  const keys = [SECRET_32, SECRET_48, SECRET_64].flatMap((key) => [key.toString('base64'), key.toString('base64url'), key.toString('base64').replace(/=+$/, ''), key.toString('hex')]);
  return [...keys, PASSWORD, encodeURIComponent(PASSWORD), QUERY_KEY];
}

describe.each(ADAPTERS)('%s', (adapter) => {
  const apps = new Apps();
  afterAll(() => apps.closeAll());

  it('serves a document with none of the spec\'s secrets, saying which key URLs it left out', async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: spec(), apiKeys: 'unchecked' })], controllers: [Routes] })
    class AppModule {}
    const { url } = apps.track(
      await startApp(AppModule, adapter, (app) => {
        SwaggerModule.setup('docs', app, () => applyEndpointsSecurity(app, SwaggerModule.createDocument(app, new DocumentBuilder().build())));
      }),
    );
    const served = await call(`${url}/docs-json`);
    expect(served.status).toBe(200);
    const text = JSON.stringify(served.body);
    for (const secret of secretSpellings()) expect(text.includes(secret), `a secret of ${secret.length} characters`).toBe(false);
    const schemes = served.body.components.securitySchemes;
    expect(schemes.with_password['x-google-jwks_uri']).toBeUndefined();
    expect(schemes.with_query['x-google-jwks_uri']).toBeUndefined();
    expect(schemes.with_query.description).toContain('left out of this document');
    expect(schemes.custom['x-google-jwks_uri']).toBe(`${keyServer.url}/jwks`);
  });

  it('writes an OpenAPI 2 document that loads back with the same API keys, token locations and audiences', async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: spec(), apiKeys: 'unchecked' })], controllers: [Routes] })
    class AppModule {}
    const { app } = apps.track(await startApp(AppModule, adapter));
    const dir = mkdtempSync(join(tmpdir(), 'endpoints-auth-review15-swagger-'));
    try {
      const file = join(dir, 'openapi.yaml');
      writeEndpointsDocument(app, applyEndpointsSecurity(app, SwaggerModule.createDocument(app, new DocumentBuilder().build()) as OpenApiDocument), file, { openapi: '2.0' });
      const moduleRef = await Test.createTestingModule({ imports: [EndpointsAuthModule.forRoot({ spec: file, apiKeys: 'unchecked' })] }).compile();
      try {
        const [before, after] = [app, moduleRef].map((context) => context.get<ResolvedSpec>(ENDPOINTS_AUTH_SPEC, { strict: false }));
        const custom = (resolved: ResolvedSpec) => {
          const provider = resolved.providers.get('custom')!;
          return { issuer: provider.issuer, audiences: provider.audiences, locations: provider.locations, keys: provider.keys };
        };
        expect(custom(after!)).toEqual(custom(before!));
        expect([...(after!.apiKeys ?? [])]).toEqual([...(before!.apiKeys ?? [])]);
      } finally {
        await moduleRef.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
