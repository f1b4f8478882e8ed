/**
 * CORS preflights are never JWT-checked (R46: an OPTIONS with both Origin and Access-Control-Request-Method, Envoy's
 * `isCorsPreflightRequest`), while any other OPTIONS on a secured route is checked like any request.
 */
import { Controller, Get, Options } from '@nestjs/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { Apps, boot, expectMissing, tokensOf, withIssuers } from './requirements-kit.js';

const PREFLIGHT = { origin: 'https://app.example.com', 'access-control-request-method': 'GET' };

@Secured('alpha')
@Controller('cors')
class SecuredCorsController {
  @Get()
  get(@UserInfo('iss') iss?: string) {
    return { handler: 'get', iss: iss ?? null };
  }

  @Options()
  options(@UserInfo('iss') iss?: string) {
    return { handler: 'options', iss: iss ?? null };
  }
}

/** No decorator: the spec's API-level security (alpha) applies. */
@Controller('spec-cors')
class SpecCorsController {
  @Options()
  options(@UserInfo('iss') iss?: string) {
    return { handler: 'options', iss: iss ?? null };
  }
}

/** Secured, with no OPTIONS handler of its own: with app.enableCors() the CORS layer answers preflights. */
@Secured('alpha')
@Controller('enabled-cors')
class EnabledCorsController {
  @Get()
  get(@UserInfo('iss') iss?: string) {
    return { handler: 'get', iss: iss ?? null };
  }
}

describe.each(ADAPTERS)('CORS preflight on %s', (adapter: AdapterName) => {
  let issuers: Issuers;
  let tokens: ReturnType<typeof tokensOf>;
  const apps = new Apps();

  withIssuers(apps, async (started, made) => {
    issuers = started;
    tokens = made;
  });

  describe.each([
    ['@Secured("alpha") controller', '/cors'],
    ['spec API-level security', '/spec-cors'],
  ])('with an @Options() handler, secured by the %s', (_name, path) => {
    let url: string;

    beforeAll(async () => {
      const spec = openApi2(issuers, { security: [{ alpha: [] }] });
      ({ url } = apps.track(await boot(adapter, { spec }, [SecuredCorsController, SpecCorsController])));
    });

    it('runs the handler for a preflight without a token (not 401)', async () => {
      const answer = await call(`${url}${path}`, { method: 'OPTIONS', headers: PREFLIGHT });
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { handler: 'options', iss: null } });
    });

    it('does not check a token sent with a preflight (an expired one passes, no claims are set)', async () => {
      const headers = { ...PREFLIGHT, ...bearer(tokens.alphaExpired()) };
      const answer = await call(`${url}${path}`, { method: 'OPTIONS', headers });
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { handler: 'options', iss: null } });
    });

    it('checks an OPTIONS without Origin and Access-Control-Request-Method: 401 "Jwt is missing"', async () => {
      expectMissing(await call(`${url}${path}`, { method: 'OPTIONS' }));
    });

    it('checks an OPTIONS with Origin only', async () => {
      expectMissing(await call(`${url}${path}`, { method: 'OPTIONS', headers: { origin: PREFLIGHT.origin } }));
    });

    it('checks an OPTIONS with Access-Control-Request-Method only', async () => {
      const headers = { 'access-control-request-method': 'GET' };
      expectMissing(await call(`${url}${path}`, { method: 'OPTIONS', headers }));
    });

    it('authenticates a checked OPTIONS with a good token', async () => {
      const answer = await call(`${url}${path}`, { method: 'OPTIONS', headers: bearer(tokens.alpha()) });
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 200,
        body: { handler: 'options', iss: issuers.alpha.issuer },
      });
    });
  });

  it('a GET carrying the preflight headers is not a preflight: 401 "Jwt is missing"', async () => {
    const spec = openApi2(issuers);
    const { url, app } = await boot(adapter, { spec }, [SecuredCorsController]);
    try {
      expectMissing(await call(`${url}/cors`, { headers: PREFLIGHT }));
    } finally {
      await app.close();
    }
  });

  describe('with app.enableCors() and no @Options() handler', () => {
    let url: string;

    beforeAll(async () => {
      const spec = openApi2(issuers);
      ({ url } = apps.track(await boot(adapter, { spec }, [EnabledCorsController], (app) => app.enableCors())));
    });

    it('a preflight is answered by the CORS layer, never 401/403', async () => {
      const answer = await call(`${url}/enabled-cors`, { method: 'OPTIONS', headers: PREFLIGHT });
      expect(answer.status).not.toBe(401);
      expect(answer.status).not.toBe(403);
      expect(answer.status).toBeLessThan(300);
      expect(answer.headers.get('access-control-allow-origin')).toBe('*');
    });

    it('enabling CORS does not open the route itself: a cross-origin GET without a token is 401', async () => {
      expectMissing(await call(`${url}/enabled-cors`, { headers: { origin: PREFLIGHT.origin } }));
    });

    it('a cross-origin GET with a good token passes', async () => {
      const answer = await call(`${url}/enabled-cors`, { headers: { origin: PREFLIGHT.origin, ...bearer(tokens.alpha()) } });
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { handler: 'get', iss: issuers.alpha.issuer } });
    });
  });
});
