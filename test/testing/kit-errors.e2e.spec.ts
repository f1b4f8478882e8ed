/** What the testing kit says when it is used wrong: each message names the fix. */
import { Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EndpointsAuthTesting, type TestTokenFailure } from 'nestjs-endpoints-auth/testing';
import { describe, expect, it } from 'vitest';
import { EndpointsAuthModule } from '../../lib/index.js';

/** An app whose one definition accepts any audience (the service-name check is off and it lists none). */
@Module({
  imports: [
    EndpointsAuthModule.forRoot({
      spec: {
        swagger: '2.0',
        info: { title: 'any audience', version: '1' },
        paths: {},
        securityDefinitions: {
          open: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': 'https://open.example.com', 'x-google-jwks_uri': 'https://open.example.com/jwks' },
        },
      },
      disableServiceNameAudienceCheck: true,
    }),
  ],
})
class AnyAudienceModule {}

/** An app whose definition "open" names another issuer than AnyAudienceModule's. */
@Module({
  imports: [
    EndpointsAuthModule.forRoot({
      spec: {
        swagger: '2.0',
        info: { title: 'other issuer', version: '1' },
        paths: {},
        securityDefinitions: {
          open: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': 'https://other.example.com', 'x-google-jwks_uri': 'https://other.example.com/jwks' },
        },
      },
      disableServiceNameAudienceCheck: true,
    }),
  ],
})
class OtherIssuerModule {}

async function compiledKit(): Promise<EndpointsAuthTesting> {
  const auth = new EndpointsAuthTesting();
  await auth.override(Test.createTestingModule({ imports: [AnyAudienceModule] })).compile();
  return auth;
}

describe('the testing kit used wrong', () => {
  it('before any app is compiled with it, says how to use it', () => {
    const auth = new EndpointsAuthTesting();
    expect(() => auth.token('firebase')).toThrow(
      'nestjs-endpoints-auth/testing: no app uses this kit yet: pass the testing module builder through ' +
        'auth.override(Test.createTestingModule(...)) and compile it before minting tokens',
    );
  });

  it('names the definitions that exist when asked for another', async () => {
    const auth = await compiledKit();
    expect(auth.definitions()).toEqual(['open']);
    expect(() => auth.header('firebase')).toThrow('nestjs-endpoints-auth/testing: no definition "firebase"; the app defines "open"');
  });

  it('mints no audience for a definition that accepts any, and refuses to make a wrong one', async () => {
    const auth = await compiledKit();
    const payload = JSON.parse(Buffer.from(auth.token('open').split('.')[1], 'base64url').toString());
    expect(payload).not.toHaveProperty('aud');
    expect(() => auth.token('open', {}, 'wrongAudience')).toThrow(
      'nestjs-endpoints-auth/testing: "open" accepts any audience, so no audience is wrong for it',
    );
  });

  it('serves two apps of the same spec, and refuses to guess between two apps that define a name differently', async () => {
    const auth = await compiledKit();
    await auth.override(Test.createTestingModule({ imports: [AnyAudienceModule] })).compile();
    expect(() => auth.token('open')).not.toThrow();
    await auth.override(Test.createTestingModule({ imports: [OtherIssuerModule] })).compile();
    expect(() => auth.token('open')).toThrow(
      'nestjs-endpoints-auth/testing: two apps compiled with this kit define "open" differently (issuer, audiences, key or clock skew); use one kit per app',
    );
  });

  it('refuses a failure it does not know, listing those it does', async () => {
    const auth = await compiledKit();
    expect(() => auth.token('open', {}, 'revoked' as TestTokenFailure)).toThrow(
      'nestjs-endpoints-auth/testing: unknown failure "revoked"; one of expired, notYetValid, wrongAudience, unknownIssuer, badSignature',
    );
  });
});
