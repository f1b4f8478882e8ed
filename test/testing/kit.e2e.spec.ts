/**
 * The testing kit, used as a team uses it in its own e2e tests: `Test.createTestingModule`, the kit's `override()`,
 * supertest, tokens minted per definition — on Express and Fastify, through the real guard.
 */
import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { EndpointsAuthTesting, type TestTokenFailure } from 'nestjs-endpoints-auth/testing';
import request from 'supertest';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KitAppModule } from './kit-app.js';

const ADAPTERS = [
  ['Express', () => new ExpressAdapter()],
  ['Fastify', () => new FastifyAdapter()],
] as const;

/** Starts the app under test with the kit's keys, as docs/testing.md shows. */
async function createApp(auth: EndpointsAuthTesting, adapter: ExpressAdapter | FastifyAdapter): Promise<INestApplication> {
  const moduleRef = await auth.override(Test.createTestingModule({ imports: [KitAppModule] })).compile();
  const app = moduleRef.createNestApplication<NestFastifyApplication>(adapter as FastifyAdapter, { logger: false });
  await app.init();
  if (adapter instanceof FastifyAdapter) await app.getHttpAdapter().getInstance().ready();
  return app;
}

describe.each(ADAPTERS)('the testing kit on %s', (_name, makeAdapter) => {
  const auth = new EndpointsAuthTesting();
  let app: INestApplication;

  beforeAll(async () => {
    app = await createApp(auth, makeAdapter());
  });
  afterAll(() => app?.close());

  it('gets 200 and the claims it minted through the real guard', async () => {
    const response = await request(app.getHttpServer())
      .get('/me')
      .set(auth.header('firebase', { sub: 'u1', email: 'a@b.c', email_verified: true }))
      .expect(200);
    expect(response.body).toMatchObject({
      sub: 'u1',
      email: 'a@b.c',
      email_verified: true,
      iss: 'https://securetoken.google.com/test-project',
      aud: 'test-project',
    });
    expect(response.body.exp - response.body.iat).toBe(3600);
  });

  it('hands one claim to @UserInfo("email")', async () => {
    await request(app.getHttpServer()).get('/me/email').set(auth.header('firebase', { email: 'b@c.d' })).expect(200, { email: 'b@c.d' });
  });

  it('puts the token where the definition reads it (a header of its own) with the service name as audience', async () => {
    const header = auth.header('auth0', { sub: 'auth0|42' });
    expect(Object.keys(header)).toEqual(['x-auth0-token']);
    const response = await request(app.getHttpServer()).get('/me/auth0').set(header).expect(200);
    expect(response.body).toMatchObject({ sub: 'auth0|42', aud: 'https://kit.endpoints.test-project.cloud.goog' });
  });

  it('serves a definition whose keys OpenID discovery would name', async () => {
    const response = await request(app.getHttpServer()).get('/me/google').set(auth.header('google_id_token')).expect(200);
    expect(response.body).toMatchObject({ iss: 'https://accounts.google.com', sub: 'test-user', aud: 'https://kit.example.com' });
  });

  it('signs with the key a definition writes in the spec', async () => {
    const response = await request(app.getHttpServer()).get('/me/secret').set(auth.header('shared_secret', { sub: 's' })).expect(200);
    expect(response.body).toMatchObject({ iss: 'shared-secret-issuer', sub: 's' });
  });

  it('mints for a definition read from the query, and says the header helper cannot place it', async () => {
    const token = auth.token('query_only', { sub: 'q' });
    const response = await request(app.getHttpServer()).get('/me/query').query({ token }).expect(200);
    expect(response.body.sub).toBe('q');
    expect(() => auth.header('query_only')).toThrow(
      'nestjs-endpoints-auth/testing: "query_only" reads its token from the query parameter "token" first; put auth.token() there',
    );
  });

  it('leaves the real refusals in place: no token is 401 MISSING_TOKEN, a public route stays open', async () => {
    const response = await request(app.getHttpServer()).get('/me').expect(401);
    expect(response.body.errorCode).toBe('MISSING_TOKEN');
    await request(app.getHttpServer()).get('/me/health').expect(200);
  });

  const FAILURES: [TestTokenFailure, number, string, string][] = [
    ['expired', 401, 'TOKEN_EXPIRED', 'Jwt is expired'],
    ['notYetValid', 401, 'TOKEN_NOT_YET_VALID', 'Jwt not yet valid'],
    ['wrongAudience', 403, 'AUDIENCE_NOT_ALLOWED', 'Audiences in Jwt are not allowed'],
    ['unknownIssuer', 401, 'UNKNOWN_ISSUER', 'Jwt issuer is not configured'],
    ['badSignature', 401, 'INVALID_TOKEN', 'Jwt verification fails'],
  ];

  it.each(FAILURES)('a %s token gets %i %s from the real guard', async (failure, status, errorCode, message) => {
    for (const [definition, path] of [['firebase', '/me'], ['auth0', '/me/auth0'], ['shared_secret', '/me/secret']] as const) {
      const response = await request(app.getHttpServer()).get(path).set(auth.header(definition, { sub: 'u1' }, failure));
      expect({ definition, status: response.status, errorCode: response.body.errorCode, message: response.body.message }).toEqual({
        definition,
        status,
        errorCode,
        message,
      });
    }
  });
});

describe('kits of two apps in one process', () => {
  it('keep their keys apart: a token of one kit is refused by the other app', async () => {
    const first = new EndpointsAuthTesting();
    const second = new EndpointsAuthTesting();
    const [one, two] = await Promise.all([createApp(first, new ExpressAdapter()), createApp(second, new FastifyAdapter())]);
    try {
      await request(one.getHttpServer()).get('/me').set(first.header('firebase')).expect(200);
      await request(two.getHttpServer()).get('/me').set(second.header('firebase')).expect(200);
      const crossed = await request(two.getHttpServer()).get('/me').set(first.header('firebase'));
      expect(crossed.status).toBe(401);
      expect(['KEY_NOT_FOUND', 'INVALID_TOKEN']).toContain(crossed.body.errorCode);
    } finally {
      await Promise.all([one.close(), two.close()]);
    }
  });
});
