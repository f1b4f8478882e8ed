import { Controller, Get, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type JwtClaims, Secured, UserInfo } from '../../lib/index.js';
import { ExpressAdapter } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import type { EndpointsProvider } from '../../lib/interfaces/provider.interface.js';
import { ENDPOINTS_AUTH_KEY_SETS } from '../../lib/keys/create-key-set.js';
import { StaticKeys } from '../../lib/keys/key-set.interface.js';
import { startupError, startsCleanly } from '../api-config/spec-kit.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, call, startApp } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { withEnv } from '../support/env.js';

/**
 * The rule that keeps development keys out of production: with NODE_ENV=production the module refuses to start when
 * ENDPOINTS_AUTH_DEV_JWKS_URI is set (whatever the options say), and when a definition's key URL is plain http or on
 * a loopback host, unless allowInsecureKeyUrls is true. Each refusal is a start-up Error naming the cause and the fix.
 */

const DEV = 'http://127.0.0.1:8399/jwks.json';

let issuers: Issuers;

beforeAll(async () => {
  issuers = await startIssuers();
});

afterAll(async () => {
  await issuers?.server.stop();
});

/** A definition whose keys are at `url` (https, not fetched unless a test starts the app's key fetch). */
function specWithKeyUrl(url: string, name = 'remote') {
  return {
    swagger: '2.0',
    info: { title: 'prod', version: '1' },
    host: 'api.example.com',
    securityDefinitions: {
      [name]: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': `https://${name}.example.com`, 'x-google-jwks_uri': url },
    },
    paths: {},
  };
}

const production = <T>(work: () => Promise<T>, dev?: string) => withEnv({ NODE_ENV: 'production', ENDPOINTS_AUTH_DEV_JWKS_URI: dev }, work);

describe('with NODE_ENV=production', () => {
  it('refuses ENDPOINTS_AUTH_DEV_JWKS_URI at start-up, even with allowInsecureKeyUrls', async () => {
    for (const allowInsecureKeyUrls of [undefined, true]) {
      const error = await production(() => startupError({ imports: [EndpointsAuthModule.forRoot({ spec: specWithKeyUrl('https://keys.example.com/jwks'), allowInsecureKeyUrls })] }), DEV);
      expect(error.name).toBe('SpecError');
      expect(error.message).toBe(
        'nestjs-endpoints-auth: environment: ENDPOINTS_AUTH_DEV_JWKS_URI is set and NODE_ENV is "production": every definition whose keys are fetched would accept tokens signed by a local development key. Unset ENDPOINTS_AUTH_DEV_JWKS_URI where the app is deployed (it is for local development only, and no option allows it in production)',
      );
    }
  });

  it('refuses key URLs over plain http or on a loopback host, naming each definition, its URL and why', async () => {
    const spec = openApi2(issuers);
    const error = await production(() => startupError({ imports: [EndpointsAuthModule.forRoot({ spec })] }));
    expect(error.name).toBe('SpecError');
    expect(error.message).toBe(
      `nestjs-endpoints-auth: spec object: NODE_ENV is "production" and the keys of "alpha" (${issuers.alpha.jwksUri}: plain http), "beta" (${issuers.beta.jwksUri}: plain http) would be fetched from a development key server: point x-google-jwks_uri at the issuer's https URL, or set the allowInsecureKeyUrls option to true if this key server is meant to serve production`,
    );
    for (const url of ['https://localhost/jwks', 'https://LOCALHOST./jwks', 'https://keys.localhost:8443/jwks', 'https://127.1/jwks', 'https://127.9.9.9/jwks', 'https://[::1]/jwks', 'https://[::ffff:127.0.0.1]/jwks', 'https://0.0.0.0/jwks']) {
      const loopback = await production(() => startupError({ imports: [EndpointsAuthModule.forRoot({ spec: specWithKeyUrl(url) })] }));
      expect(loopback.message, url).toMatch(/^nestjs-endpoints-auth: spec object: NODE_ENV is "production" and the keys of "remote" \(https:\/\/[^)]+: a loopback host\) would be fetched/);
    }
  });

  it('refuses an OpenID discovery URL over plain http, and hides a key URL\'s query', async () => {
    const discovery = { ...specWithKeyUrl('unused'), securityDefinitions: { found: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': 'http://login.example.com', 'x-google-audiences': 'a' } } };
    const [byDiscovery, withQuery] = await production(() =>
      Promise.all([
        startupError({ imports: [EndpointsAuthModule.forRoot({ spec: discovery })] }),
        startupError({ imports: [EndpointsAuthModule.forRoot({ spec: specWithKeyUrl('http://keys.example.com/jwks?key=secret-api-key') })] }),
      ]),
    );
    expect(byDiscovery.message).toContain('the keys of "found" (http://login.example.com/.well-known/openid-configuration: plain http)');
    expect(withQuery.message).toContain('the keys of "remote" (http://keys.example.com/jwks?…: plain http)');
    expect(withQuery.message).not.toContain('secret-api-key');
  });

  it('starts with https key URLs elsewhere, keys written in the spec, and inferred service-account certificates', async () => {
    const spec = {
      ...specWithKeyUrl('https://keys.example.com/jwks'),
      securityDefinitions: {
        ...specWithKeyUrl('https://keys.example.com/jwks').securityDefinitions,
        shared: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': 'shared', 'x-google-jwks_uri': Buffer.alloc(32, 7).toString('base64') },
        robot: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': 'robot@proj.iam.gserviceaccount.com' },
      },
    };
    // The rule runs on the spec; the key sets are the test's own, so nothing is fetched from beyond 127.0.0.1.
    const built: string[] = [];
    const builder = Test.createTestingModule({ imports: [EndpointsAuthModule.forRoot({ spec })] })
      .overrideProvider(ENDPOINTS_AUTH_KEY_SETS)
      .useValue((provider: EndpointsProvider) => (built.push(provider.name), new StaticKeys()));
    const app = (await production(() => builder.compile())).createNestApplication(new ExpressAdapter(), { logger: false });
    await app.init();
    await app.close();
    expect(built.sort()).toEqual(['remote', 'robot', 'shared']);
  });

  it('rejects an allowInsecureKeyUrls that is not a boolean', async () => {
    const error = await production(() => startupError({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers), allowInsecureKeyUrls: 'yes' as unknown as boolean })] }));
    expect(error.message).toBe('nestjs-endpoints-auth: options: "allowInsecureKeyUrls" must be true or false');
  });
});

@Secured('alpha')
@Controller('who')
class WhoController {
  @Get()
  who(@UserInfo() user: JwtClaims) {
    return { sub: user.sub };
  }
}

describe.each(ADAPTERS)('allowInsecureKeyUrls: true on %s', (adapter) => {
  const apps = new Apps();
  afterAll(() => apps.closeAll());

  it('lets a production app fetch keys over plain http from 127.0.0.1, and verify with them', async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers), allowInsecureKeyUrls: true })], controllers: [WhoController] })
    class AppModule {}
    const { url } = apps.track(await production(() => startApp(AppModule, adapter)));
    const token = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));
    const response = await call(`${url}/who`, { headers: bearer(token) });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ sub: 'user-1' });
  });
});

describe('on Cloud Run, whose containers often have no NODE_ENV', () => {
  for (const [variable, signal] of [['K_SERVICE', 'K_SERVICE is set (Cloud Run)'], ['CLOUD_RUN_JOB', 'CLOUD_RUN_JOB is set (Cloud Run)']]) {
    it(`counts ${variable} as production: the variable and a loopback key URL are refused, naming why`, async () => {
      const onCloudRun = <T>(work: () => Promise<T>, dev?: string) =>
        withEnv({ NODE_ENV: undefined, [variable]: 'bookstore', ENDPOINTS_AUTH_DEV_JWKS_URI: dev }, work);
      const dev = await onCloudRun(() => startupError({ imports: [EndpointsAuthModule.forRoot({ spec: specWithKeyUrl('https://keys.example.com/jwks') })] }), DEV);
      expect(dev.message).toContain(`ENDPOINTS_AUTH_DEV_JWKS_URI is set and ${signal}: every definition whose keys are fetched`);
      const loopback = await onCloudRun(() => startupError({ imports: [EndpointsAuthModule.forRoot({ spec: specWithKeyUrl('http://127.0.0.1:9/jwks') })] }));
      expect(loopback.message).toContain(`${signal} and the keys of "remote" (http://127.0.0.1:9/jwks: `);
      await onCloudRun(() =>
        startsCleanly({ imports: [EndpointsAuthModule.forRoot({ spec: specWithKeyUrl('http://127.0.0.1:9/jwks'), allowInsecureKeyUrls: true })] }),
      );
    });
  }
});

describe('outside production', () => {
  it('starts with plain-http and loopback key URLs', async () => {
    for (const env of ['development', 'test', undefined]) {
      await withEnv({ NODE_ENV: env, K_SERVICE: undefined, CLOUD_RUN_JOB: undefined, ENDPOINTS_AUTH_DEV_JWKS_URI: undefined }, () => startsCleanly({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) })] }));
    }
  });
});
