/**
 * `@Secured('p', { scopes, claims })` over HTTP, on both adapters: authentication first (401 stays 401), then the
 * verified token's scopes and claims (403 INSUFFICIENT_SCOPE / CLAIMS_NOT_ALLOWED, `error="insufficient_scope"`),
 * on every request, a token answered from the validated-token cache included.
 */
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthCounters, EndpointsAuthModule, type JwtClaims, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, bearer, call, startApp } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';

@Controller('shelves')
class ShelvesController {
  @Secured('alpha')
  @Get()
  list(@UserInfo('sub') sub: string) {
    return { sub };
  }

  @Secured('alpha', { scopes: ['read:shelves', 'write:shelves'] })
  @Get('scoped')
  scoped(@UserInfo('sub') sub: string) {
    return { sub };
  }

  @Secured('alpha', 'beta', { scopes: ['read:shelves'] })
  @Get('either')
  either(@UserInfo('iss') iss: string) {
    return { iss };
  }

  @Secured('alpha', { claims: { email_verified: true, 'firebase.sign_in_provider': 'password', 'https://example.com/tier': 2 } })
  @Get('claims')
  claimed(@UserInfo('sub') sub: string) {
    return { sub };
  }

  @Secured('alpha', { optional: true, scopes: ['read:shelves'] })
  @Get('optional')
  optional(@UserInfo() user: JwtClaims | undefined) {
    return { sub: user?.sub ?? null };
  }
}

/** The controller's conditions hold for its undecorated handler; a handler's own `@Secured` replaces them as a whole. */
@Secured('alpha', { scopes: ['admin'] })
@Controller('admin')
class AdminController {
  @Get()
  panel(@UserInfo('sub') sub: string) {
    return { sub };
  }

  @Secured('alpha')
  @Get('open')
  open(@UserInfo('sub') sub: string) {
    return { sub };
  }
}

describe.each(ADAPTERS)('@Secured scopes and claims on %s', (adapter) => {
  let issuers: Issuers;
  let app: INestApplication;
  let url: string;
  const alpha = (overrides: Record<string, unknown> = {}) =>
    signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', overrides));
  const beta = (overrides: Record<string, unknown> = {}) =>
    signJwt(issuers.beta.key, claims(issuers.beta.issuer, `https://${issuers.service}`, overrides));
  const verified = { email_verified: true, firebase: { sign_in_provider: 'password' }, 'https://example.com/tier': 2 };

  beforeAll(async () => {
    issuers = await startIssuers();
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) })], controllers: [ShelvesController, AdminController] })
    class AppModule {}
    ({ app, url } = await startApp(AppModule, adapter));
  });
  afterAll(async () => {
    await app?.close();
    await issuers?.server.stop();
  });

  const expectRefused = (response: Awaited<ReturnType<typeof call>>, errorCode: string, message: string, path: string) => {
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ statusCode: 403, error: 'Forbidden', message, errorCode });
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="http://${url.slice(7)}${path}", error="insufficient_scope"`);
  };

  describe('scopes', () => {
    it('passes a token whose space-delimited scope holds every listed scope', async () => {
      const response = await call(`${url}/shelves/scoped`, { headers: bearer(alpha({ scope: 'openid write:shelves read:shelves' })) });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ sub: 'user-1' });
    });

    it('passes a token whose scp array holds every listed scope', async () => {
      const response = await call(`${url}/shelves/scoped`, { headers: bearer(alpha({ scp: ['read:shelves', 'write:shelves'] })) });
      expect(response.status).toBe(200);
    });

    it('refuses with 403 INSUFFICIENT_SCOPE when one listed scope is missing', async () => {
      const response = await call(`${url}/shelves/scoped`, { headers: bearer(alpha({ scope: 'read:shelves' })) });
      expectRefused(response, 'INSUFFICIENT_SCOPE', 'Scopes in Jwt are insufficient', '/shelves/scoped');
    });

    it('compares whole words: a longer or shorter scope, or one array entry holding both, is not the scope', async () => {
      for (const granted of [
        { scope: 'read:shelves-all write:shelves' },
        { scope: 'read write:shelves' },
        { scp: ['read:shelves write:shelves'] },
        { scope: ['read:shelves', 'write:shelves'].join(',') },
        { scope: 42 },
      ]) {
        const response = await call(`${url}/shelves/scoped`, { headers: bearer(alpha(granted)) });
        expect(response.status, JSON.stringify(granted)).toBe(403);
        expect(response.body.errorCode).toBe('INSUFFICIENT_SCOPE');
      }
    });

    it('refuses a token without any scope claim', async () => {
      const response = await call(`${url}/shelves/scoped`, { headers: bearer(alpha()) });
      expectRefused(response, 'INSUFFICIENT_SCOPE', 'Scopes in Jwt are insufficient', '/shelves/scoped');
    });

    it('holds every alternative of @Secured("alpha", "beta", { scopes }) to the scopes', async () => {
      expect((await call(`${url}/shelves/either`, { headers: bearer(beta({ scope: 'read:shelves' })) })).body).toEqual({ iss: issuers.beta.issuer });
      expect((await call(`${url}/shelves/either`, { headers: bearer(alpha({ scp: ['read:shelves'] })) })).body).toEqual({ iss: issuers.alpha.issuer });
      const refused = await call(`${url}/shelves/either`, { headers: bearer(beta()) });
      expectRefused(refused, 'INSUFFICIENT_SCOPE', 'Scopes in Jwt are insufficient', '/shelves/either');
    });
  });

  describe('authentication comes first', () => {
    it('answers 401 MISSING_TOKEN without a token', async () => {
      const response = await call(`${url}/shelves/scoped`);
      expect(response.status).toBe(401);
      expect(response.body.errorCode).toBe('MISSING_TOKEN');
      expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="http://${url.slice(7)}/shelves/scoped"`);
    });

    it('answers the token failure, not the scope, for an expired token without the scope', async () => {
      const response = await call(`${url}/shelves/scoped`, { headers: bearer(alpha({ exp: 1000, iat: 900 })) });
      expect(response.status).toBe(401);
      expect(response.body.errorCode).toBe('TOKEN_EXPIRED');
    });

    it('answers AUDIENCE_NOT_ALLOWED for a token of another audience, whatever its scopes', async () => {
      const token = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'other', { scope: 'read:shelves write:shelves' }));
      const response = await call(`${url}/shelves/scoped`, { headers: bearer(token) });
      expect(response.status).toBe(403);
      expect(response.body.errorCode).toBe('AUDIENCE_NOT_ALLOWED');
      expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
    });

    it('lets an optional route without a token through, but holds a token it gets to the scopes', async () => {
      expect((await call(`${url}/shelves/optional`)).body).toEqual({ sub: null });
      expect((await call(`${url}/shelves/optional`, { headers: bearer(alpha({ scope: 'read:shelves' })) })).body).toEqual({ sub: 'user-1' });
      const refused = await call(`${url}/shelves/optional`, { headers: bearer(alpha()) });
      expectRefused(refused, 'INSUFFICIENT_SCOPE', 'Scopes in Jwt are insufficient', '/shelves/optional');
    });
  });

  describe('claims', () => {
    it('passes a token with every listed claim equal, nested and namespaced ones included', async () => {
      const response = await call(`${url}/shelves/claims`, { headers: bearer(alpha(verified)) });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ sub: 'user-1' });
    });

    it.each([
      ['a false claim', { email_verified: false }],
      ['a string where a boolean is asked (=== only)', { email_verified: 'true' }],
      ['a missing claim', { email_verified: undefined }],
      ['another nested value', { firebase: { sign_in_provider: 'google.com' } }],
      ['a nested claim that is not an object', { firebase: 'password' }],
      ['a missing parent', { firebase: undefined }],
      ['a number as a string', { 'https://example.com/tier': '2' }],
    ])('refuses with 403 CLAIMS_NOT_ALLOWED for %s', async (_case, overrides) => {
      const response = await call(`${url}/shelves/claims`, { headers: bearer(alpha({ ...verified, ...overrides })) });
      expectRefused(response, 'CLAIMS_NOT_ALLOWED', 'Claims in Jwt are not allowed', '/shelves/claims');
    });
  });

  describe('precedence', () => {
    it("holds an undecorated handler to its controller's scopes", async () => {
      expect((await call(`${url}/admin`, { headers: bearer(alpha()) })).body.errorCode).toBe('INSUFFICIENT_SCOPE');
      expect((await call(`${url}/admin`, { headers: bearer(alpha({ scope: 'admin' })) })).status).toBe(200);
    });

    it("lets a handler's own @Secured replace the controller's as a whole, its scopes included", async () => {
      const response = await call(`${url}/admin/open`, { headers: bearer(alpha()) });
      expect(response.status).toBe(200);
      expect(response.body).toEqual({ sub: 'user-1' });
    });
  });

  it('refuses a cached token on a scoped route after it passed an unscoped one', async () => {
    const counters = app.get(EndpointsAuthCounters);
    const token = alpha({ scope: 'read:shelves', jti: `cached-${adapter}` });
    expect((await call(`${url}/shelves`, { headers: bearer(token) })).status).toBe(200);
    const before = counters.tokens();
    const refused = await call(`${url}/shelves/scoped`, { headers: bearer(token) });
    expectRefused(refused, 'INSUFFICIENT_SCOPE', 'Scopes in Jwt are insufficient', '/shelves/scoped');
    // The refusal came from the cache's answer: one more hit, no new miss.
    expect(counters.tokens().hits).toBe(before.hits + 1);
    expect(counters.tokens().misses).toBe(before.misses);
    // And the cache does not remember the refusal: the unscoped route still takes the token.
    expect((await call(`${url}/shelves`, { headers: bearer(token) })).status).toBe(200);
  });
});
