/** A gRPC service configuration that ESP would not deploy stops the app at start-up, with a message naming the problem. */
import { describe, expect, it } from 'vitest';
import { EndpointsAuthModule } from '../../lib/index.js';
import { startsCleanly, startupError } from '../api-config/spec-kit.js';

const provider = { id: 'sa', issuer: 'reader@test-project.iam.gserviceaccount.com', jwks_uri: 'http://127.0.0.1:9/x509' };

function config(authentication: Record<string, unknown>) {
  return { type: 'google.api.Service', name: 'shelves.endpoints.test-project.cloud.goog', authentication };
}

async function messageOf(authentication: Record<string, unknown>): Promise<string> {
  return (await startupError({ imports: [EndpointsAuthModule.forRoot({ spec: config(authentication) })] })).message;
}

describe('start-up errors of a gRPC service configuration', () => {
  it.each([
    [
      'a requirement naming an undefined provider',
      { providers: [provider], rules: [{ selector: '*', requirements: [{ provider_id: 'firebase' }] }] },
      'authentication.rules[0].requirements[0]: provider_id "firebase" is not defined; defined: sa',
    ],
    [
      'a requirement without provider_id',
      { providers: [provider], rules: [{ selector: '*', requirements: [{ audiences: 'x' }] }] },
      'authentication.rules[0].requirements[0]: provider_id nothing is not defined; defined: sa',
    ],
    [
      'a wildcard that is not the whole last component',
      { providers: [provider], rules: [{ selector: 'test.auth.Shelves*', requirements: [{ provider_id: 'sa' }] }] },
      'authentication.rules[0]: selector pattern "test.auth.Shelves*" is not "*", "package.Service.*" or a full method name',
    ],
    [
      'a wildcard in the middle',
      { providers: [provider], rules: [{ selector: 'test.*.Shelves', requirements: [{ provider_id: 'sa' }] }] },
      'selector pattern "test.*.Shelves" is not',
    ],
    [
      'an empty pattern inside a comma-separated selector (one trailing comma is accepted, as Service Management does)',
      { providers: [provider], rules: [{ selector: 'a.B.C,,a.B.D', requirements: [{ provider_id: 'sa' }] }] },
      'selector pattern "" is not',
    ],
    [
      'a later rule subsuming one pattern of an earlier one',
      { providers: [provider], rules: [{ selector: 'a.S.M1, a.S.M2', requirements: [{ provider_id: 'sa' }] }, { selector: 'a.S.M1' }] },
      'authentication.rules[1] (selector "a.S.M1") subsumes rules[0] (selector "a.S.M1, a.S.M2")',
    ],
    [
      'a later rule subsuming an earlier one',
      { providers: [provider], rules: [{ selector: 'test.auth.Shelves.GetShelf' }, { selector: 'test.auth.*', requirements: [{ provider_id: 'sa' }] }] },
      'authentication.rules[1] (selector "test.auth.*") subsumes rules[0] (selector "test.auth.Shelves.GetShelf")',
    ],
    ['a provider id defined twice', { providers: [provider, { ...provider, issuer: 'https://other.example.com' }] }, 'authentication.providers[1]: provider id "sa" is defined twice'],
    ['two providers with one issuer', { providers: [provider, { ...provider, id: 'sa2' }] }, 'providers "sa" and "sa2" have the same issuer'],
    ['a provider without issuer', { providers: [{ id: 'sa' }] }, 'provider "sa": issuer must be a non-empty string, got nothing'],
    ['no providers', { providers: [] }, 'authentication.providers must be a non-empty list, got a list'],
    ['rules that are not a list', { providers: [provider], rules: { selector: '*' } }, 'authentication.rules must be a list, got a mapping'],
    [
      'allow_without_credential that is not a boolean',
      { providers: [provider], rules: [{ selector: '*', allow_without_credential: 'yes', requirements: [{ provider_id: 'sa' }] }] },
      'authentication.rules[0]: allow_without_credential must be a boolean, got a string',
    ],
    ['a jwks_uri that is neither an http(s) URL nor a key', { providers: [{ ...provider, jwks_uri: 'ftp://keys.example.com' }] }, 'provider "sa": jwks_uri is neither an http(s) URL nor a base64 key'],
    ['a query location with a prefix', { providers: [{ ...provider, jwt_locations: [{ query: 't', value_prefix: 'x' }] }] }, 'JwtLocation type [query] should be set without valuePrefix'],
  ])('%s', async (_label, authentication, expected) => {
    const message = await messageOf(authentication);
    expect(message).toContain('nestjs-endpoints-auth: spec object: ');
    expect(message).toContain(expected);
  });

  it('refuses a provider without audiences when the config has no `name` (no default audience)', async () => {
    const error = await startupError({
      imports: [EndpointsAuthModule.forRoot({ spec: { authentication: { providers: [provider] } } })],
    });
    expect(error.message).toContain('provider "sa" has no audiences and the service name is unknown');
  });

  it('accepts broader selectors first and narrower ones after (the narrower ones win)', async () => {
    await startsCleanly({
      imports: [
        EndpointsAuthModule.forRoot({
          spec: config({
            providers: [provider],
            rules: [{ selector: '*', requirements: [{ provider_id: 'sa' }] }, { selector: 'test.auth.*' }, { selector: 'test.auth.Health.Check, test.auth.Health.Ping' }],
          }),
          keyCache: { fetchTimeoutMs: 100 },
        }),
      ],
    });
  });
});
