import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type JwtClaims, Public, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, bearer, call, startApp } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';

@Secured('alpha')
@Controller('shelves')
class ShelvesController {
  @Get()
  list(@UserInfo() user: JwtClaims) {
    return { sub: user.sub };
  }

  @Public()
  @Get('health')
  health(@UserInfo() user: JwtClaims | undefined) {
    return { ok: true, user: user ?? null };
  }

  @Secured('alpha', 'beta')
  @Get('either')
  either(@UserInfo('iss') iss: string) {
    return { iss };
  }
}

describe.each(ADAPTERS)('@Secured on %s', (adapter) => {
  let issuers: Issuers;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    issuers = await startIssuers();
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) })], controllers: [ShelvesController] })
    class AppModule {}
    ({ app, url } = await startApp(AppModule, adapter));
  });
  afterAll(async () => {
    await app?.close();
    await issuers?.server.stop();
  });

  it('accepts a valid RS256 token and hands the claims to the handler', async () => {
    const token = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));
    const response = await call(`${url}/shelves`, { headers: bearer(token) });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ sub: 'user-1' });
  });

  it('answers 401 "Jwt is missing" without a token', async () => {
    const response = await call(`${url}/shelves`);
    expect(response.status).toBe(401);
    expect(response.body).toMatchObject({ statusCode: 401, message: 'Jwt is missing', errorCode: 'MISSING_TOKEN' });
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="http://${url.slice(7)}/shelves"`);
  });

  it('lets @Public() on the handler win over @Secured() on the controller', async () => {
    const response = await call(`${url}/shelves/health`);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ok: true, user: null });
  });

  it('accepts either alternative and routes by issuer', async () => {
    const alpha = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));
    const beta = signJwt(issuers.beta.key, claims(issuers.beta.issuer, `https://${issuers.service}`));
    expect((await call(`${url}/shelves/either`, { headers: bearer(alpha) })).body).toEqual({ iss: issuers.alpha.issuer });
    expect((await call(`${url}/shelves/either`, { headers: bearer(beta) })).body).toEqual({ iss: issuers.beta.issuer });
  });

  it('answers 403 for a wrong audience', async () => {
    const token = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'other'));
    const response = await call(`${url}/shelves`, { headers: bearer(token) });
    expect(response.status).toBe(403);
    expect(response.body).toMatchObject({ message: 'Audiences in Jwt are not allowed', errorCode: 'AUDIENCE_NOT_ALLOWED' });
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_token"');
  });
});
