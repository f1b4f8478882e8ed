import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EndpointsAuthTesting, type TestTokenFailure } from 'nestjs-endpoints-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, Secured } from '../../lib/index.js';
import { KeyServer } from '../support/key-server.js';
import { ADAPTERS, Apps, call } from '../support/app.js';
import { makeKey } from '../support/keys.js';

/**
 * Review of issue 15, the testing kit: every failure helper gets its own errorCode from the real guard for every
 * definition kind the kit signs for (RS256 with its key, HS256 with a spec's 32-, 48- or 64-byte secret written in
 * base64, base64url or padded), when the app allows no clock skew and when it allows ten minutes; and a kit's token
 * is refused by an app of the same spec that was not compiled with that kit.
 */

const secret = (bytes: number, fill: number) => Buffer.alloc(bytes, fill);
const serverKey = makeKey('RS256', 'real-1');

function spec(jwksUri: string) {
  const definition = (issuer: string, keys: string) => ({ type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': issuer, 'x-google-jwks_uri': keys, 'x-google-audiences': 'aud' });
  return {
    swagger: '2.0',
    info: { title: 'kit', version: '1' },
    host: 'api.example.com',
    securityDefinitions: {
      rsa: definition('https://rsa.example.com', jwksUri),
      hs_base64: definition('https://hs1.example.com', secret(32, 0xfb).toString('base64')),
      hs_base64url: definition('https://hs2.example.com', secret(48, 0xfb).toString('base64url')),
      hs_padded: definition('https://hs3.example.com', secret(64, 0x3e).toString('base64')),
    },
    paths: {},
  };
}
const DEFINITIONS = ['rsa', 'hs_base64', 'hs_base64url', 'hs_padded'] as const;

@Controller()
class Routes {
  @Get('/:definition')
  @Secured('rsa', 'hs_base64', 'hs_base64url', 'hs_padded')
  any() {
    return { ok: true };
  }
}

const FAILURES: [TestTokenFailure, number, string][] = [
  ['expired', 401, 'TOKEN_EXPIRED'],
  ['notYetValid', 401, 'TOKEN_NOT_YET_VALID'],
  ['wrongAudience', 403, 'AUDIENCE_NOT_ALLOWED'],
  ['unknownIssuer', 401, 'UNKNOWN_ISSUER'],
  ['badSignature', 401, 'INVALID_TOKEN'],
];

let keyServer: KeyServer;

beforeAll(async () => {
  keyServer = await new KeyServer().start();
  keyServer.jwks('/jwks', [serverKey.jwk]);
});

afterAll(() => keyServer?.stop());

async function listen(moduleRef: Awaited<ReturnType<ReturnType<typeof Test.createTestingModule>['compile']>>, makeAdapter: (typeof ADAPTERS)[number][1]) {
  const app = moduleRef.createNestApplication(makeAdapter() as never, { logger: false }) as INestApplication;
  await app.listen(0, '127.0.0.1');
  return { app, url: (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1') };
}

describe.each(ADAPTERS)('%s', (_name, makeAdapter) => {
  const apps = new Apps();
  afterAll(() => apps.closeAll());

  describe.each([0, 600])('an app with clockSkewSeconds %i', (clockSkewSeconds) => {
    const auth = new EndpointsAuthTesting();
    let url: string;

    beforeAll(async () => {
      @Module({ imports: [EndpointsAuthModule.forRoot({ spec: spec(`${keyServer.url}/jwks`), clockSkewSeconds })], controllers: [Routes] })
      class AppModule {}
      const moduleRef = await auth.override(Test.createTestingModule({ imports: [AppModule] })).compile();
      ({ url } = apps.track(await listen(moduleRef, makeAdapter)));
    });

    it('accepts a fresh token of each definition, and gets each failure\'s own errorCode', async () => {
      for (const definition of DEFINITIONS) {
        expect((await call(`${url}/${definition}`, { headers: auth.header(definition) })).status, definition).toBe(200);
        for (const [failure, status, errorCode] of FAILURES) {
          const response = await call(`${url}/${definition}`, { headers: auth.header(definition, {}, failure) });
          expect({ definition, failure, status: response.status, errorCode: response.body.errorCode }).toEqual({ definition, failure, status, errorCode });
        }
      }
    });

    it('badSignature is INVALID_TOKEN (never MALFORMED_TOKEN) for many signatures of each definition', async () => {
      for (const definition of DEFINITIONS) {
        const codes = new Set<string>();
        for (let n = 0; n < 40; n++) {
          const response = await call(`${url}/${definition}`, { headers: auth.header(definition, { n }, 'badSignature') });
          codes.add(`${response.status} ${response.body.errorCode}`);
        }
        expect([...codes], definition).toEqual(['401 INVALID_TOKEN']);
      }
    });
  });

  it('an app of the same spec not compiled with the kit refuses the kit\'s RS256 tokens', async () => {
    const auth = new EndpointsAuthTesting();
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: spec(`${keyServer.url}/jwks`) })], controllers: [Routes] })
    class KitModule {}
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: spec(`${keyServer.url}/jwks`) })], controllers: [Routes] })
    class PlainModule {}
    const kitApp = apps.track(await listen(await auth.override(Test.createTestingModule({ imports: [KitModule] })).compile(), makeAdapter));
    const plainApp = apps.track(await listen(await Test.createTestingModule({ imports: [PlainModule] }).compile(), makeAdapter));
    const headers = auth.header('rsa');
    expect((await call(`${kitApp.url}/rsa`, { headers })).status).toBe(200);
    const refused = await call(`${plainApp.url}/rsa`, { headers });
    expect(refused.status).toBe(401);
    expect(['KEY_NOT_FOUND', 'INVALID_TOKEN']).toContain(refused.body.errorCode);
  });
});
