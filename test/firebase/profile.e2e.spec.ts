/**
 * The Firebase profile (`definitions.<name>.firebase`) on both adapters, against a key server on 127.0.0.1: every
 * token Firebase Admin's `verifyIdToken` refuses but ESP accepts is accepted with the profile off and refused with
 * it on, with its errorCode and message; a Firebase-shaped token passes either way with its claims.
 */
import { type INestApplication, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthCounters, EndpointsAuthModule, type EndpointsAuthOptions } from '../../lib/index.js';
import { ADAPTERS, Apps, bearer, call, startApp } from '../support/app.js';
import { nowSeconds } from '../support/keys.js';
import {
  ClaimsController,
  type FirebaseKeys,
  OTHER_PROJECT,
  PROJECT,
  SESSION_ISSUER,
  es256Token,
  firebaseClaims,
  firebaseSpec,
  firebaseToken,
  noKidToken,
  rs384Token,
  startFirebaseKeys,
} from './firebase-kit.js';

interface Refusal {
  status: 401 | 403;
  errorCode: string;
  message: string;
}

const invalid = (message: string): Refusal => ({ status: 401, errorCode: 'FIREBASE_TOKEN_INVALID', message });
const AUDIENCE: Refusal = { status: 403, errorCode: 'FIREBASE_AUDIENCE_NOT_ALLOWED', message: 'Audience in Jwt is not the Firebase project' };
const TENANT: Refusal = { status: 401, errorCode: 'TENANT_NOT_ALLOWED', message: 'Tenant in Jwt is not allowed' };
const SUB = invalid('Jwt payload [sub] field must be a non-empty string of at most 128 characters');
const AUTH_TIME = invalid('Jwt payload [auth_time] field is required and must be a number');
const ALG = invalid('Jwt header [alg] must be RS256');

/** Tokens ESP accepts and Firebase Admin refuses, with the profile's answer. */
const ADMIN_ONLY_REFUSALS: [string, (keys: FirebaseKeys) => string, Refusal][] = [
  ['no kid in the header', (keys) => noKidToken(keys), invalid('Jwt header [kid] field is required')],
  ['ES256, with a P-256 key of the set that verifies it', (keys) => es256Token(keys), ALG],
  ['RS384, with the RSA key that verifies it', (keys) => rs384Token(keys), ALG],
  ['an aud list that holds the project', (keys) => firebaseToken(keys, { aud: [PROJECT, 'another'] }), AUDIENCE],
  ['aud "https://<project>" (ESP strips the scheme)', (keys) => firebaseToken(keys, { aud: `https://${PROJECT}` }), AUDIENCE],
  ['aud "<project>/" (ESP strips one trailing slash)', (keys) => firebaseToken(keys, { aud: `${PROJECT}/` }), AUDIENCE],
  ["aud of another project than the issuer's (both listed in x-google-audiences)", (keys) => firebaseToken(keys, { aud: OTHER_PROJECT }), AUDIENCE],
  ['a sub of 129 characters', (keys) => firebaseToken(keys, { sub: 'u'.repeat(129) }), SUB],
  ['an empty sub', (keys) => firebaseToken(keys, { sub: '' }), SUB],
  ['no sub', (keys) => firebaseToken(keys, { sub: undefined }), SUB],
  ['no auth_time', (keys) => firebaseToken(keys, { auth_time: undefined }), AUTH_TIME],
  ['a string auth_time', (keys) => firebaseToken(keys, { auth_time: String(nowSeconds() - 600) }), AUTH_TIME],
  ['an auth_time beyond the skew in the future', (keys) => firebaseToken(keys, { auth_time: nowSeconds() + 600 }), invalid('Jwt payload [auth_time] is in the future')],
];

describe.each(ADAPTERS)('the Firebase profile on %s', (adapter) => {
  const apps = new Apps();
  let keys: FirebaseKeys;
  let plainUrl: string;
  let profiled: INestApplication;
  let profiledUrl: string;
  let tenantedUrl: string;

  const boot = async (definitions?: EndpointsAuthOptions['definitions']) => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: firebaseSpec(keys), definitions })], controllers: [ClaimsController] })
    class AppModule {}
    return apps.track(await startApp(AppModule, adapter));
  };

  beforeAll(async () => {
    keys = await startFirebaseKeys();
    ({ url: plainUrl } = await boot());
    ({ app: profiled, url: profiledUrl } = await boot({ firebase: { firebase: true }, session: { firebase: true } }));
    ({ url: tenantedUrl } = await boot({ firebase: { firebase: { tenants: ['tenant-a', 'tenant-b'] } } }));
  });
  afterAll(async () => {
    await apps.closeAll();
    await keys?.server.stop();
  });

  const expectRefused = (response: Awaited<ReturnType<typeof call>>, refusal: Refusal, url: string, path: string) => {
    expect({ status: response.status, body: response.body }).toEqual({
      status: refusal.status,
      body: { statusCode: refusal.status, error: refusal.status === 403 ? 'Forbidden' : 'Unauthorized', message: refusal.message, errorCode: refusal.errorCode },
    });
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="http://${url.slice(7)}${path}", error="invalid_token"`);
  };

  it('passes a Firebase-shaped ID token with its claims, with the profile on and off', async () => {
    const token = firebaseToken(keys);
    for (const url of [plainUrl, profiledUrl]) {
      const response = await call(`${url}/me`, { headers: bearer(token) });
      expect(response.status).toBe(200);
      expect(response.body).toEqual(firebaseClaims({ iat: response.body.iat, exp: response.body.exp, auth_time: response.body.auth_time }));
      expect(response.body.exp - response.body.iat).toBe(3600);
    }
  });

  it('passes a session cookie token (issuer https://session.firebase.google.com/<project>) with the profile on', async () => {
    const token = firebaseToken(keys, { iss: SESSION_ISSUER });
    const response = await call(`${profiledUrl}/session`, { headers: bearer(token) });
    expect({ status: response.status, iss: response.body.iss, sub: response.body.sub }).toEqual({ status: 200, iss: SESSION_ISSUER, sub: 'uid-1' });
  });

  it.each(ADMIN_ONLY_REFUSALS)('accepts %s with the profile off, as ESP does, and refuses it with the profile on', async (_case, make, refusal) => {
    const token = make(keys);
    expect((await call(`${plainUrl}/me`, { headers: bearer(token) })).status).toBe(200);
    expectRefused(await call(`${profiledUrl}/me`, { headers: bearer(token) }), refusal, profiledUrl, '/me');
    // Refusals are never cached: the same token is refused again.
    expectRefused(await call(`${profiledUrl}/me`, { headers: bearer(token) }), refusal, profiledUrl, '/me');
  });

  it('applies the profile to the session-cookie issuer too (an aud list is refused there)', async () => {
    const token = firebaseToken(keys, { iss: SESSION_ISSUER, aud: [PROJECT] });
    expect((await call(`${plainUrl}/session`, { headers: bearer(token) })).status).toBe(200);
    expectRefused(await call(`${profiledUrl}/session`, { headers: bearer(token) }), AUDIENCE, profiledUrl, '/session');
  });

  it('accepts the edges Firebase Admin accepts: a sub of 128 characters, an auth_time within the clock skew', async () => {
    const edges = [firebaseToken(keys, { sub: 'u'.repeat(128) }), firebaseToken(keys, { auth_time: nowSeconds() + 30 })];
    for (const token of edges) expect((await call(`${profiledUrl}/me`, { headers: bearer(token) })).status).toBe(200);
  });

  it('leaves a number sub to the strict reader, which refuses it with the profile on or off', async () => {
    const token = firebaseToken(keys, { sub: 42 });
    for (const url of [plainUrl, profiledUrl]) {
      const response = await call(`${url}/me`, { headers: bearer(token) });
      expect({ status: response.status, errorCode: response.body.errorCode, message: response.body.message }).toEqual({
        status: 401,
        errorCode: 'INVALID_TOKEN',
        message: 'Jwt payload [sub] field is not a string',
      });
    }
  });

  it("runs ESP's checks first: an expired token without kid is expired, a wrong audience ESP refuses is ESP's 403", async () => {
    const expired = noKidToken(keys, { iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 });
    expect((await call(`${profiledUrl}/me`, { headers: bearer(expired) })).body.errorCode).toBe('TOKEN_EXPIRED');
    const foreign = firebaseToken(keys, { aud: 'not-listed' });
    const response = await call(`${profiledUrl}/me`, { headers: bearer(foreign) });
    expect({ status: response.status, errorCode: response.body.errorCode }).toEqual({ status: 403, errorCode: 'AUDIENCE_NOT_ALLOWED' });
  });

  it('refuses before the signature is checked: a forged ES256 token is refused for its alg', async () => {
    const token = es256Token(keys);
    const forged = `${token.slice(0, token.lastIndexOf('.') + 1)}${Buffer.alloc(64, 7).toString('base64url')}`;
    expect((await call(`${plainUrl}/me`, { headers: bearer(forged) })).body.errorCode).toBe('INVALID_TOKEN');
    expectRefused(await call(`${profiledUrl}/me`, { headers: bearer(forged) }), ALG, profiledUrl, '/me');
  });

  it('checks a token once: its later requests are answered from the validated-token cache', async () => {
    const token = firebaseToken(keys, { sub: 'cached-user' });
    const counters = profiled.get(EndpointsAuthCounters);
    const before = counters.tokens();
    for (let round = 0; round < 3; round++) expect((await call(`${profiledUrl}/me`, { headers: bearer(token) })).status).toBe(200);
    const after = counters.tokens();
    expect({ hits: after.hits - before.hits, misses: after.misses - before.misses }).toEqual({ hits: 2, misses: 1 });
  });

  describe('tenants', () => {
    it('passes a token of a listed tenant', async () => {
      const token = firebaseToken(keys, { firebase: { sign_in_provider: 'password', tenant: 'tenant-b' } });
      const response = await call(`${tenantedUrl}/me`, { headers: bearer(token) });
      expect({ status: response.status, tenant: response.body.firebase?.tenant }).toEqual({ status: 200, tenant: 'tenant-b' });
    });

    it.each([
      ['of a tenant not listed', { firebase: { sign_in_provider: 'password', tenant: 'tenant-c' } }],
      ['without a tenant (the project itself)', {}],
      ['whose tenant is not a string', { firebase: { tenant: ['tenant-a'] } }],
      ['without the firebase claim', { firebase: undefined }],
    ])('refuses a token %s with TENANT_NOT_ALLOWED, and ESP (the profile off) accepts it', async (_case, overrides) => {
      const token = firebaseToken(keys, overrides);
      expect((await call(`${plainUrl}/me`, { headers: bearer(token) })).status).toBe(200);
      expectRefused(await call(`${tenantedUrl}/me`, { headers: bearer(token) }), TENANT, tenantedUrl, '/me');
    });

    it('leaves tenants alone when none are listed', async () => {
      const token = firebaseToken(keys, { firebase: { tenant: 'tenant-z' } });
      expect((await call(`${profiledUrl}/me`, { headers: bearer(token) })).status).toBe(200);
    });
  });
});
