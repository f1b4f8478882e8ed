/**
 * x-security under attack over real requests (Express, Fastify): `@Secured` on a route whose operation has x-security
 * (the decorator wins, with the definition's own audiences), a token whose `aud` lists both audiences, audience
 * spellings (scheme, trailing slash, case, whitespace), a global prefix with URI versioning, and the testing kit's
 * tokens on such a route.
 */
import { Controller, Get, Module, VersioningType } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EndpointsAuthTesting } from 'nestjs-endpoints-auth/testing';
import { describe, expect, it } from 'vitest';
import { EndpointsAuthModule, Secured } from '../../lib/index.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';
import { ADAPTERS, type AdapterName, Apps, bearer, call } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { boot, expectRejected, withIssuers } from '../requirements/requirements-kit.js';

@Controller()
class RoutesController {
  @Get('a')
  a() {
    return { ok: true };
  }

  /** The spec's operation replaces alpha's audiences here; the decorator wins. */
  @Secured('alpha')
  @Get('decorated')
  decorated() {
    return { ok: true };
  }

  @Get('own')
  own() {
    return { ok: true };
  }
}

@Controller({ path: 'items', version: '1' })
class VersionedController {
  @Get()
  list() {
    return { ok: true };
  }
}

const aud = (...audiences: string[]) => ({ audiences });

function specOf(issuers: Issuers) {
  return openApi2(issuers, {
    paths: {
      '/a': { get: { 'x-security': [{ alpha: aud('audience-a') }] } },
      '/decorated': { get: { 'x-security': [{ alpha: aud('audience-a') }] } },
      '/own': { get: { security: [{ alpha: [] }] } },
      '/api/v1/items': { get: { 'x-security': [{ alpha: aud('https://items.example.com/') }] } },
    },
  });
}

describe.each(ADAPTERS)('x-security under attack on %s', (adapter: AdapterName) => {
  const apps = new Apps();
  let url: string;
  let prefixed: string;
  let alpha: (aud: unknown) => string;

  withIssuers(apps, async (issuers) => {
    alpha = (aud) => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, aud as string));
    ({ url } = apps.track(await boot(adapter, { spec: specOf(issuers) }, [RoutesController])));
    ({ url: prefixed } = apps.track(
      await boot(adapter, { spec: specOf(issuers) }, [VersionedController], (app) => {
        app.setGlobalPrefix('api');
        app.enableVersioning({ type: VersioningType.URI });
      }),
    ));
  });

  const get = (base: string, path: string, token: string) => call(`${base}${path}`, { headers: bearer(token) });

  it('@Secured wins over the operation’s x-security: the definition’s own audiences apply there', async () => {
    expect((await get(url, '/decorated', alpha('alpha-audience'))).status).toBe(200);
    expectRejected(await get(url, '/decorated', alpha('audience-a')), 'Audiences in Jwt are not allowed', 'AUDIENCE_NOT_ALLOWED', 403);
  });

  it('a token whose aud lists both audiences passes on both routes, as ESP accepts any listed audience', async () => {
    const both = alpha(['alpha-audience', 'audience-a']);
    expect((await get(url, '/a', both)).status).toBe(200);
    expect((await get(url, '/own', both)).status).toBe(200);
  });

  it.each([
    ['https://audience-a/', 200],
    ['http://audience-a', 200],
    ['AUDIENCE-A', 403],
    [' audience-a', 403],
    ['audience-a ', 403],
    ['audience-a//', 403],
    ['alpha-audience', 403],
  ])('judges the aud %j on the x-security route as ESPv2 sanitises it: %i', async (value, status) => {
    expect((await get(url, '/a', alpha(value))).status).toBe(status);
  });

  it('holds the route under a global prefix and a URI version to its operation’s replaced audiences', async () => {
    expect((await get(prefixed, '/api/v1/items', alpha('items.example.com'))).status).toBe(200);
    expectRejected(await get(prefixed, '/api/v1/items', alpha('alpha-audience')), 'Audiences in Jwt are not allowed', 'AUDIENCE_NOT_ALLOWED', 403);
  });
});

describe.each(ADAPTERS)('the testing kit on an x-security route on %s', (adapter: AdapterName) => {
  it('mints the definition’s own audience, which the route refuses; an aud override reaches it', async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: specOf(fakeIssuers()) })], controllers: [RoutesController] })
    class KitModule {}
    const auth = new EndpointsAuthTesting();
    const moduleRef = await auth.override(Test.createTestingModule({ imports: [KitModule] })).compile();
    const app = moduleRef.createNestApplication(ADAPTERS.find(([name]) => name === adapter)![1](), { logger: false });
    await app.listen(0, '127.0.0.1');
    try {
      const base = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
      expect((await call(`${base}/a`, { headers: auth.header('alpha') })).status).toBe(403);
      expect((await call(`${base}/a`, { headers: auth.header('alpha', { aud: 'audience-a' }) })).status).toBe(200);
      expect((await call(`${base}/decorated`, { headers: auth.header('alpha') })).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});

/** Issuers the kit replaces: their key URLs are never fetched. */
function fakeIssuers(): Issuers {
  const issuer = (name: string) => ({ issuer: `https://${name}.example.com`, jwksUri: `https://${name}.example.com/jwks` });
  return { service: 'kit.example.com', alpha: issuer('alpha'), beta: issuer('beta') } as unknown as Issuers;
}
