import { Controller, Get, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, Secured } from '../../lib/index.js';
import { startupError } from '../api-config/spec-kit.js';
import { withEnv } from '../support/env.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, call, startApp } from '../support/app.js';
import { claims, makeKey, signJwt } from '../support/keys.js';

/**
 * Review of issue 15, the production rule as an operator meets it: every spelling of a loopback key URL is refused
 * (the URL parser normalises most; the IPv4-mapped unspecified address `[::ffff:0.0.0.0]` reaches this machine too),
 * NODE_ENV is production however it is cased or padded (the rule only ever refuses, so reading " production" as
 * development would silently re-open development keys), and the variables are read once, at start-up.
 */

const DEV = 'http://127.0.0.1:8399/jwks.json';

function specWithKeyUrl(url: string) {
  return {
    swagger: '2.0',
    info: { title: 'prod', version: '1' },
    host: 'api.example.com',
    securityDefinitions: {
      remote: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': 'https://remote.example.com', 'x-google-jwks_uri': url },
    },
    paths: {},
  };
}

describe('with NODE_ENV=production', () => {
  it('refuses every spelling of a loopback key URL', async () => {
    const urls = [
      'HTTPS://LOCALHOST/jwks',
      'https://2130706433/jwks',
      'https://0x7f000001/jwks',
      'https://017700000001/jwks',
      'https://evil@127.0.0.1/jwks',
      'https://127.0.0.1./jwks',
      'https://localhost%2e/jwks',
      'https://[0:0:0:0:0:ffff:7f00:1]/jwks',
      'https://[::ffff:0.0.0.0]/jwks',
      'https://[::ffff:127.255.0.1]/jwks',
      'https://[::]/jwks',
    ];
    for (const url of urls) {
      const error = await withEnv({ NODE_ENV: 'production', ENDPOINTS_AUTH_DEV_JWKS_URI: undefined }, () =>
        startupError({ imports: [EndpointsAuthModule.forRoot({ spec: specWithKeyUrl(url) })] }),
      );
      expect(error.message, url).toMatch(/the keys of "remote" \(https:\/\/[^)]+: a loopback host\) would be fetched/);
    }
  });

  it('takes NODE_ENV as production whatever its case or surrounding spaces', async () => {
    for (const spelling of ['Production', 'PRODUCTION', ' production', 'production\n']) {
      const error = await withEnv({ NODE_ENV: spelling, ENDPOINTS_AUTH_DEV_JWKS_URI: DEV }, () =>
        startupError({ imports: [EndpointsAuthModule.forRoot({ spec: specWithKeyUrl('https://keys.example.com/jwks') })] }),
      );
      expect(error.message, JSON.stringify(spelling)).toContain('ENDPOINTS_AUTH_DEV_JWKS_URI is set and NODE_ENV is "production"');
    }
  });
});

@Controller()
class Guarded {
  @Get('/guarded')
  @Secured('alpha')
  guarded() {
    return { ok: true };
  }
}

describe.each(ADAPTERS)('%s: ENDPOINTS_AUTH_DEV_JWKS_URI set after start-up', (adapter) => {
  let issuers: Issuers;
  const apps = new Apps();
  const devKey = makeKey('RS256', 'dev-1');

  beforeAll(async () => {
    issuers = await startIssuers();
    issuers.server.jwks('/dev/jwks', [devKey.jwk]);
  });

  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  it('changes nothing: the app keeps the spec\'s keys, and a token of the development key is refused', async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) })], controllers: [Guarded] })
    class AppModule {}
    const { url } = await withEnv({ ENDPOINTS_AUTH_DEV_JWKS_URI: undefined }, async () => apps.track(await startApp(AppModule, adapter)));
    const [devToken, realToken] = [devKey, issuers.alpha.key].map((key) => signJwt(key, claims(issuers.alpha.issuer, 'alpha-audience')));
    await withEnv({ ENDPOINTS_AUTH_DEV_JWKS_URI: `${issuers.server.url}/dev/jwks` }, async () => {
      expect((await call(`${url}/guarded`, { headers: bearer(devToken) })).status).toBe(401);
      expect((await call(`${url}/guarded`, { headers: bearer(realToken) })).status).toBe(200);
    });
    expect(issuers.server.count('/dev/jwks')).toBe(0);
  });
});
