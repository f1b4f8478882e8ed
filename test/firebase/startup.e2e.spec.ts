/**
 * The `definitions` option fails start-up, with a message naming the setting, when it names no JWT definition of the
 * spec, holds a setting this version does not know, or turns the Firebase profile on where no token could pass it.
 */
import { Module } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type EndpointsAuthOptions, SpecError } from '../../lib/index.js';
import { CapturingLogger, startsCleanly, startupError } from '../api-config/spec-kit.js';
import { startAppWith } from '../support/app.js';
import { ID_TOKEN_ISSUER, PROJECT } from './firebase-kit.js';

/** Never fetched: every app here fails, or closes, before a request. */
const JWKS = 'http://127.0.0.1:9/jwks';

const oauth2 = (issuer: string, extra: Record<string, unknown> = {}) => ({
  type: 'oauth2',
  flow: 'implicit',
  authorizationUrl: '',
  'x-google-issuer': issuer,
  'x-google-jwks_uri': JWKS,
  ...extra,
});

const SPEC = {
  swagger: '2.0',
  info: { title: 'startup', version: '1' },
  host: 'svc.example.com',
  securityDefinitions: {
    firebase: oauth2(ID_TOKEN_ISSUER, { 'x-google-audiences': PROJECT }),
    no_audiences: oauth2(ID_TOKEN_ISSUER.replace(PROJECT, 'proj-c')),
    listed_elsewhere: oauth2(ID_TOKEN_ISSUER.replace(PROJECT, 'proj-d'), { 'x-google-audiences': 'https://proj-d.example.com' }),
    secret: oauth2(ID_TOKEN_ISSUER.replace(PROJECT, 'proj-e'), {
      'x-google-jwks_uri': Buffer.from('a-secret-of-at-least-thirty-two-bytes!!').toString('base64'),
      'x-google-audiences': 'proj-e',
    }),
    auth0: oauth2('https://example.auth0.com/', { 'x-google-audiences': 'api' }),
    nested: oauth2('https://securetoken.google.com/proj/extra', { 'x-google-audiences': 'proj' }),
    api_key: { type: 'apiKey', name: 'key', in: 'query' },
  },
  paths: {},
};

const failureOf = (definitions: unknown) =>
  startupError({ imports: [EndpointsAuthModule.forRoot({ spec: SPEC, definitions } as EndpointsAuthOptions)] });

async function expectOptionsError(definitions: unknown, message: string): Promise<void> {
  const error = await failureOf(definitions);
  expect(error).toBeInstanceOf(SpecError);
  expect(error.message).toBe(`nestjs-endpoints-auth: options: ${message}`);
}

describe('the definitions option at start-up', () => {
  it('starts with the profile on a Firebase definition, and with it off (false) on any', async () => {
    await startsCleanly({ imports: [EndpointsAuthModule.forRoot({ spec: SPEC, definitions: { firebase: { firebase: { tenants: ['t'] } }, auth0: { firebase: false } } })] });
    await startsCleanly({ imports: [EndpointsAuthModule.forRoot({ spec: SPEC, definitions: { firebase: {} } })] });
  });

  it('logs the profile with its definition at start-up (any audience with the service-name check off)', async () => {
    const logger = new CapturingLogger();
    const checkRevoked = () => false;
    const definitions = { firebase: { firebase: { tenants: ['t1', 't2'], checkRevoked } }, no_audiences: { firebase: true } };
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: SPEC, disableServiceNameAudienceCheck: true, definitions })] })
    class AppModule {}
    const { app } = await startAppWith(AppModule, 'express', { configure: (started) => started.useLogger(logger) });
    await app.close();
    expect(logger.messages('log').filter((line) => line.includes('Firebase profile'))).toEqual([
      `"firebase": issuer ${ID_TOKEN_ISSUER}, keys ${JWKS}, audiences ${PROJECT}, Firebase profile (project ${PROJECT}, tenants t1, t2, revocation checked, verdicts kept 60 s)`,
      `"no_audiences": issuer https://securetoken.google.com/proj-c, keys ${JWKS}, audiences any (service-name check disabled), Firebase profile (project proj-c, any tenant, no revocation check)`,
    ]);
  });

  it.each([
    ['a name the spec does not define', { nope: { firebase: true } }, '"definitions.nope": spec object has no JWT definition "nope" (its JWT definitions: "firebase", "no_audiences", "listed_elsewhere", "secret", "auth0", "nested")'],
    ['an apiKey definition', { api_key: { firebase: true } }, '"definitions.api_key": "api_key" is not a JWT definition of spec object (it has no x-google-issuer)'],
    ['an issuer that is not Firebase', { auth0: { firebase: true } }, '"definitions.auth0.firebase": the Firebase profile is for the issuers https://securetoken.google.com/<project> (ID tokens) and https://session.firebase.google.com/<project> (session cookies); "auth0" has the issuer https://example.auth0.com/'],
    ['a Firebase-looking issuer with a nested path', { nested: { firebase: true } }, '"definitions.nested.firebase": the Firebase profile is for the issuers https://securetoken.google.com/<project> (ID tokens) and https://session.firebase.google.com/<project> (session cookies); "nested" has the issuer https://securetoken.google.com/proj/extra'],
    ['a definition whose audiences cannot accept the project', { listed_elsewhere: { firebase: true } }, '"definitions.listed_elsewhere.firebase": the profile requires the audience "proj-d" (the project of https://securetoken.google.com/proj-d), which the definition\'s audiences (proj-d.example.com) do not accept; add it to x-google-audiences'],
    ['a definition left with the service-name audience', { no_audiences: { firebase: true } }, '"definitions.no_audiences.firebase": the profile requires the audience "proj-c" (the project of https://securetoken.google.com/proj-c), which the definition\'s audiences (svc.example.com) do not accept; add it to x-google-audiences'],
    ['a definition with a symmetric key', { secret: { firebase: true } }, '"definitions.secret.firebase": the profile requires RS256, so "secret" cannot verify with a symmetric key written in the spec'],
  ])('fails for %s', async (_case, definitions, message) => {
    await expectOptionsError(definitions, message);
  });

  it.each([
    ['definitions is not an object', ['firebase'], '"definitions" must be an object keyed by definition name; got a list'],
    ["a definition's settings are not an object", { firebase: true }, '"definitions.firebase" must be an object; got a boolean'],
    ['an unknown definition setting', { firebase: { firebsae: true } }, '"definitions.firebase.firebsae" is not a definition setting; the settings are firebase'],
    ['firebase is a string', { firebase: { firebase: 'true' } }, '"definitions.firebase.firebase" must be true, false or an object; got a string'],
    ['an unknown profile setting', { firebase: { firebase: { tenant: 'a' } } }, '"definitions.firebase.firebase.tenant" is not a Firebase profile setting; the settings are tenants, checkRevoked, revocationCacheSeconds, revocationCacheMaxEntries'],
    ['an empty tenant list', { firebase: { firebase: { tenants: [] } } }, '"definitions.firebase.firebase.tenants" must be a non-empty list of tenant IDs (non-empty strings)'],
    ['a tenant list with an empty ID', { firebase: { firebase: { tenants: ['a', ''] } } }, '"definitions.firebase.firebase.tenants" must be a non-empty list of tenant IDs (non-empty strings)'],
    ['tenants as one string', { firebase: { firebase: { tenants: 'a' } } }, '"definitions.firebase.firebase.tenants" must be a non-empty list of tenant IDs (non-empty strings)'],
    ['checkRevoked that is not a function', { firebase: { firebase: { checkRevoked: true } } }, '"definitions.firebase.firebase.checkRevoked" must be a function (claims) => boolean | Promise<boolean>; got a boolean'],
    ['a negative revocationCacheSeconds', { firebase: { firebase: { revocationCacheSeconds: -1 } } }, '"definitions.firebase.firebase.revocationCacheSeconds" must be a whole number from 0 to 3600'],
    ['a revocationCacheSeconds over an hour', { firebase: { firebase: { revocationCacheSeconds: 3601 } } }, '"definitions.firebase.firebase.revocationCacheSeconds" must be a whole number from 0 to 3600'],
    ['a revocationCacheMaxEntries of 0', { firebase: { firebase: { revocationCacheMaxEntries: 0 } } }, '"definitions.firebase.firebase.revocationCacheMaxEntries" must be a whole number from 1 to 10000000'],
  ])('fails when %s', async (_case, definitions, message) => {
    await expectOptionsError(definitions, message);
  });
});
