/** The sample's Swagger UI: its served document carries each route's security and the spec's x-google-* schemes. */
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBookstore } from '../../sample/bootstrap.js';
import { ADAPTERS, call } from '../support/app.js';

const EVERY_ISSUER = [{ local: [] }, { firebase: [] }, { auth0_jwk: [] }, { google_id_token: [] }, { service_account: [] }];

describe.each(ADAPTERS)('the Bookstore’s Swagger document on %s', (name, adapter) => {
  let app: INestApplication;
  let url: string;
  let token: string;
  let document: any;

  beforeAll(async () => {
    ({ app, url, token } = await startBookstore(0, adapter(), { logger: false }));
    const served = await call(`${url}/docs-json`);
    expect(served.status).toBe(200);
    document = served.body;
  });
  afterAll(() => app?.close());

  it('gives each route the security the guard enforces', () => {
    const security = (path: string, method: string) => document.paths[path][method].security;
    expect(security('/shelves', 'get')).toEqual([]);
    expect(security('/shelves', 'post')).toEqual(EVERY_ISSUER);
    expect(security('/shelves/{shelf}', 'get')).toEqual(EVERY_ISSUER);
    expect(security('/shelves/{shelf}', 'delete')).toEqual([{ firebase: [] }, { local: [] }]);
    expect(security('/auth/info', 'get')).toEqual(EVERY_ISSUER);
    expect(security('/healthz', 'get')).toEqual([]);
  });

  it('lists the spec’s definitions with their x-google-* members', () => {
    const schemes = document.components.securitySchemes;
    expect(Object.keys(schemes).sort()).toEqual(['auth0_jwk', 'firebase', 'google_id_token', 'local', 'service_account']);
    expect(schemes.firebase).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      'x-google-issuer': 'https://securetoken.google.com/YOUR-PROJECT',
      'x-google-jwks_uri': 'https://www.googleapis.com/service_accounts/v1/jwk/securetoken@system.gserviceaccount.com',
      'x-google-audiences': 'YOUR-PROJECT',
    });
    expect(schemes.local).toMatchObject({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', 'x-google-issuer': 'https://local-issuer.invalid' });
    expect(schemes.local['x-google-jwks_uri']).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
  });

  it('answers 200 to a request made as "Authorize" makes it with a token of the local issuer, 401 without', async () => {
    const scheme = document.components.securitySchemes.local;
    expect(scheme).toMatchObject({ type: 'http', scheme: 'bearer' });
    // Swagger UI sends an http bearer scheme's token as `Authorization: Bearer <token>`.
    const headers = { Authorization: `Bearer ${token}` };
    expect((await call(`${url}/shelves/1`, { headers })).status).toBe(200);
    expect((await call(`${url}/shelves/1`)).status).toBe(401);
  });

  it('serves the Swagger UI page (on Express; Fastify would need @fastify/static)', async () => {
    const page = await call(`${url}/docs`);
    expect(page.status).toBe(name === 'express' ? 200 : 404);
    if (name === 'express') expect(String(page.body)).toContain('swagger-ui');
  });
});
