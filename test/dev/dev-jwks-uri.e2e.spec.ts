import { createHmac } from 'node:crypto';
import { Controller, Get, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type JwtClaims, Secured, UserInfo } from '../../lib/index.js';
import { CapturingLogger, startWith, startupError } from '../api-config/spec-kit.js';
import { ADAPTERS, Apps, bearer, call } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { type TestKey, claims, makeKey, signJwt } from '../support/keys.js';
import { withEnv } from '../support/env.js';
import { FIREBASE, FIREBASE_DEFINITION } from './dev-kit.js';

/**
 * ENDPOINTS_AUTH_DEV_JWKS_URI, read by the module at start: every definition whose keys are fetched (a URL, or OpenID
 * discovery) takes its keys from that URL, keeping its issuer, audiences and locations; a key written in the spec
 * stays. A real key server on 127.0.0.1 plays the dev issuer; the spec's own key URLs are never fetched.
 */

const SECRET = Buffer.alloc(32, 9);

const spec = {
  swagger: '2.0',
  info: { title: 'dev', version: '1' },
  host: 'api.example.com',
  securityDefinitions: {
    firebase: FIREBASE_DEFINITION,
    discovered: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': 'https://login.example.com', 'x-google-jwt-locations': [{ header: 'X-Token' }] },
    shared: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': 'shared-issuer', 'x-google-jwks_uri': SECRET.toString('base64') },
  },
  paths: {},
};

@Controller()
class ClaimsController {
  @Secured('firebase')
  @Get('firebase')
  firebase(@UserInfo() user: JwtClaims) {
    return user;
  }

  @Secured('discovered')
  @Get('discovered')
  discovered(@UserInfo('iss') iss: string) {
    return { iss };
  }

  @Secured('shared')
  @Get('shared')
  shared(@UserInfo('iss') iss: string) {
    return { iss };
  }
}

@Module({ imports: [EndpointsAuthModule.forRoot({ spec })], controllers: [ClaimsController] })
class AppModule {}

/** An HS256 token signed with the spec's own symmetric key. */
function hs256(payload: Record<string, unknown>): string {
  const input = `${Buffer.from(JSON.stringify({ alg: 'HS256', typ: 'JWT' })).toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', SECRET).update(input).digest('base64url')}`;
}

let devKeys: KeyServer;
let devKey: TestKey;
let devUri: string;

beforeAll(async () => {
  devKey = makeKey('RS256', 'dev-1');
  devKeys = await new KeyServer().start();
  devKeys.jwks('/jwks.json', [devKey.jwk]);
  devUri = `${devKeys.url}/jwks.json`;
});

afterAll(() => devKeys?.stop());

describe.each(ADAPTERS)('ENDPOINTS_AUTH_DEV_JWKS_URI on %s', (adapter) => {
  const apps = new Apps();
  let url: string;
  let logger: CapturingLogger;

  beforeAll(async () => {
    logger = new CapturingLogger();
    ({ url } = apps.track(await withEnv({ NODE_ENV: 'development', ENDPOINTS_AUTH_DEV_JWKS_URI: devUri }, () => startWith({ imports: [AppModule] }, adapter, logger))));
  });

  afterAll(() => apps.closeAll());

  it('verifies a fetched definition\'s tokens with the dev key, keeping its issuer, audiences and locations', async () => {
    const token = signJwt(devKey, claims(FIREBASE, 'my-project', { email: 'a@b.c' }));
    const accepted = await call(`${url}/firebase`, { headers: bearer(token) });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ iss: FIREBASE, aud: 'my-project', email: 'a@b.c' });
    // The definition's audience still applies.
    const otherAudience = await call(`${url}/firebase`, { headers: bearer(signJwt(devKey, claims(FIREBASE, 'another-project'))) });
    expect(otherAudience.status).toBe(403);
    expect(otherAudience.body.errorCode).toBe('AUDIENCE_NOT_ALLOWED');
    // A definition found by OpenID discovery is repointed too, and still reads its own header.
    const discovered = await call(`${url}/discovered`, { headers: { 'x-token': signJwt(devKey, claims('https://login.example.com', 'api.example.com')) } });
    expect(discovered).toMatchObject({ status: 200, body: { iss: 'https://login.example.com' } });
    expect(devKeys.count('/jwks.json')).toBeGreaterThan(0);
  });

  it('keeps a key written in the spec', async () => {
    const response = await call(`${url}/shared`, { headers: bearer(hs256(claims('shared-issuer', 'api.example.com'))) });
    expect(response).toMatchObject({ status: 200, body: { iss: 'shared-issuer' } });
  });

  it('says so once at start-up, naming the definitions, and in each start-up line', () => {
    const warnings = logger.messages('warn').filter((line) => line.includes('ENDPOINTS_AUTH_DEV_JWKS_URI'));
    expect(warnings).toEqual([
      `ENDPOINTS_AUTH_DEV_JWKS_URI is set: the keys of "firebase", "discovered" come from the development key server at ${devUri}, not from the spec; never set it where the app is deployed`,
    ]);
    const lines = logger.messages('log');
    expect(lines).toContain(
      `"firebase": issuer ${FIREBASE}, keys ${devUri} (ENDPOINTS_AUTH_DEV_JWKS_URI; the spec's: https://www.googleapis.com/service_accounts/v1/metadata/x509/securetoken@system.gserviceaccount.com), audiences my-project`,
    );
    expect(lines).toContain(
      `"discovered": issuer https://login.example.com, keys ${devUri} (ENDPOINTS_AUTH_DEV_JWKS_URI; the spec's: from OpenID discovery at https://login.example.com/.well-known/openid-configuration), audiences api.example.com`,
    );
    expect(lines).toContain('"shared": issuer shared-issuer, keys a symmetric key written in the spec (HS256), audiences api.example.com');
  });
});

describe('ENDPOINTS_AUTH_DEV_JWKS_URI values', () => {
  it('refuses a value that is not an http(s) URL, without quoting it', async () => {
    // One after the other: each sets the process's environment while its app starts.
    const notUrl = await withEnv({ ENDPOINTS_AUTH_DEV_JWKS_URI: 'not a url with-a-secret' }, () => startupError({ imports: [AppModule] }));
    const ftp = await withEnv({ ENDPOINTS_AUTH_DEV_JWKS_URI: 'ftp://127.0.0.1/jwks.json' }, () => startupError({ imports: [AppModule] }));
    expect(notUrl.message).toBe('nestjs-endpoints-auth: environment: ENDPOINTS_AUTH_DEV_JWKS_URI is not a URL; expected the JWKS URL endpoints-auth dev-issuer prints');
    expect(ftp.message).toBe('nestjs-endpoints-auth: environment: ENDPOINTS_AUTH_DEV_JWKS_URI (ftp://127.0.0.1/jwks.json) must be an http or https URL');
  });

  it('is off when empty, and says it changes nothing when no definition fetches its keys', async () => {
    const apps = new Apps();
    try {
      const empty = new CapturingLogger();
      apps.track(await withEnv({ ENDPOINTS_AUTH_DEV_JWKS_URI: ' ' }, () => startWith({ imports: [EndpointsAuthModule.forRoot({ spec: { ...spec, securityDefinitions: { shared: spec.securityDefinitions.shared } } })] }, 'express', empty)));
      expect(empty.lines.some((line) => line.message.includes('ENDPOINTS_AUTH_DEV_JWKS_URI'))).toBe(false);
      const nothing = new CapturingLogger();
      apps.track(await withEnv({ ENDPOINTS_AUTH_DEV_JWKS_URI: devUri }, () => startWith({ imports: [EndpointsAuthModule.forRoot({ spec: { ...spec, securityDefinitions: { shared: spec.securityDefinitions.shared } } })] }, 'express', nothing)));
      expect(nothing.messages('warn')).toContain("ENDPOINTS_AUTH_DEV_JWKS_URI is set, but no definition's keys are fetched: it changes nothing");
    } finally {
      await apps.closeAll();
    }
  });
});
