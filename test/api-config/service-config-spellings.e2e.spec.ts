/**
 * A service configuration as Service Management serves it (`gcloud endpoints configs describe`, proto3 JSON names) or
 * as written (snake_case proto names), in JSON or YAML, each object in either spelling: the same providers and rules,
 * the same route table. Members the library does not use (apis, types, sourceInfo, quota, logging...) are ignored, as
 * ESPv2 discards them. One field given under both names in one object stops the app, as protobuf's JSON parser refuses it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, RouteRequirements, SpecError } from '../../lib/index.js';
import { jsonNameOf } from '../../lib/api-config/proto-field.js';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { recordingValidator } from '../api-keys/api-keys-kit.js';
import { type Fixture, FIXTURES, SPELLINGS, type Spelling, controllersOf, fixture, spelled, writeConfig } from './service-config-kit.js';
import { TempDir, startWith, startupError } from './spec-kit.js';

type Doc = Record<string, any>;

describe('a service configuration in either spelling', () => {
  let issuers: Issuers;
  const dir = new TempDir();
  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterAll(async () => {
    dir.remove();
    await issuers?.server.stop();
  });

  /** The route table of an app started from `spec`, with the fixture's controllers. */
  async function routeTableOf(spec: string, name: Fixture) {
    const metadata = { imports: [EndpointsAuthModule.forRoot({ spec, apiKeys: recordingValidator('sync') })], controllers: controllersOf(name) };
    const { app } = await startWith(metadata, 'express');
    try {
      return app.get(RouteRequirements).routeTable();
    } finally {
      await app.close();
    }
  }

  it.each(FIXTURES)('the twins of %s mix both spellings as the test means them to', (name) => {
    const mixed = JSON.stringify(spelled(fixture(name, issuers.server.url), 'mixed'));
    expect(mixed).toContain('"jwksUri"');
    expect(mixed).toContain('"jwks_uri"');
    const snake = JSON.stringify(spelled(fixture(name, issuers.server.url), 'snake_case'));
    expect(snake).not.toMatch(/"(jwksUri|providerId|allowUnregisteredCalls|producerProjectId)"/);
    expect(snake).toContain('"provider_id"');
  });

  describe.each(FIXTURES)('%s', (name) => {
    const base = name.replace(/\.(json|yaml)$/, '');

    it('starts from the file as gcloud prints it, and decides every route as its rules say', async () => {
      const rows = await routeTableOf(writeConfig(dir, name, fixture(name, issuers.server.url)), name);
      const lines = rows.map((row) => `${row.method} ${row.path} ${row.source} ${row.requirement?.providers.join('|') ?? '-'}${row.requirement?.apiKey ? ' +key' : ''}`);
      if (name === 'grpc.service-config.yaml') {
        expect(lines).toEqual(
          expect.arrayContaining([
            'GET /v1/shelves rule test.auth.Shelves.ListShelves beta +key',
            'GET /v1/shelves/:id rule test.auth.Shelves.GetShelf alpha|beta',
            'GET /v1/shelf/:id rule test.auth.Shelves.GetShelf alpha|beta',
            'GET /v1/health rule test.auth.Health.Check beta',
          ]),
        );
        expect(rows.find((row) => row.path === '/v1/health')?.requirement?.optional).toBe(true);
      } else {
        const api = '1.bookstore_endpoints_test_project_cloud_goog';
        expect(lines).toEqual(
          expect.arrayContaining([
            `GET /v1/shelves rule ${api}.ListShelves -`,
            `POST /v1/shelves rule ${api}.CreateShelf alpha`,
            `GET /v1/shelves/:shelf rule ${api}.GetShelf alpha|beta`,
            `DELETE /v1/shelves/:shelf rule ${api}.DeleteShelf alpha +key`,
            `GET /v1/shelves/:shelf/books/:book rule ${api}.GetBook beta`,
          ]),
        );
      }
    });

    it.each(SPELLINGS.flatMap((spelling) => ['json', 'yaml'].map((format) => [spelling, format] as [Spelling, string])))(
      '%s as %s gives the route table the file as printed gives',
      async (spelling, format) => {
        const printed = await routeTableOf(writeConfig(dir, name, fixture(name, issuers.server.url)), name);
        const twin = writeConfig(dir, `${base}.${spelling}.${format}`, spelled(fixture(name, issuers.server.url), spelling));
        expect(await routeTableOf(twin, name)).toEqual(printed);
      },
    );
  });
});

describe('start-up errors of a service configuration in proto3 JSON names', () => {
  /** A gRPC config with one provider `sa` and one rule, in proto3 JSON names; `patch` edits it. */
  function config(patch: (config: Doc) => void = () => undefined): Doc {
    const value: Doc = {
      name: 'shelves.endpoints.test-project.cloud.goog',
      authentication: {
        providers: [{ id: 'sa', issuer: 'reader@test-project.iam.gserviceaccount.com', jwksUri: 'http://127.0.0.1:9/x509' }],
        rules: [{ selector: 'test.auth.Shelves.GetShelf', requirements: [{ providerId: 'sa' }] }],
      },
      http: { rules: [{ selector: 'test.auth.Shelves.GetShelf', get: '/v1/shelves/{id}' }] },
    };
    patch(value);
    return value;
  }
  const provider = (config: Doc) => config['authentication'].providers[0];
  const rule = (config: Doc) => config['authentication'].rules[0];
  const httpRule = (config: Doc) => config['http'].rules[0];

  async function messageOf(spec: Doc): Promise<string> {
    const error = await startupError({ imports: [EndpointsAuthModule.forRoot({ spec, apiKeys: 'unchecked' })] });
    expect(error).toBeInstanceOf(SpecError);
    return error.message;
  }

  it.each([
    ['jwks_uri', 'provider "sa"', (c: Doc) => (provider(c).jwks_uri = 'http://127.0.0.1:9/other')],
    ['jwt_locations', 'provider "sa"', (c: Doc) => Object.assign(provider(c), { jwt_locations: [{ header: 'a' }], jwtLocations: [{ header: 'b' }] })],
    ['value_prefix', 'jwtLocations[0]', (c: Doc) => (provider(c).jwtLocations = [{ header: 'a', value_prefix: 'A ', valuePrefix: 'B ' }])],
    ['provider_id', 'authentication.rules[0].requirements[0]', (c: Doc) => (rule(c).requirements[0].provider_id = 'sa')],
    ['allow_without_credential', 'authentication.rules[0]', (c: Doc) => Object.assign(rule(c), { allow_without_credential: true, allowWithoutCredential: false })],
    ['allow_unregistered_calls', 'usage.rules[0]', (c: Doc) => (c['usage'] = { rules: [{ selector: '*', allow_unregistered_calls: true, allowUnregisteredCalls: true }] })],
    ['additional_bindings', 'http.rules[0]', (c: Doc) => Object.assign(httpRule(c), { additional_bindings: [], additionalBindings: [] })],
    [
      'additional_bindings',
      'http.rules[0].additionalBindings[0]',
      (c: Doc) => (httpRule(c).additionalBindings = [{ get: '/v1/shelf/{id}', additional_bindings: [], additionalBindings: [] }]),
    ],
  ])('%s given under both names in %s', async (field, where, patch) => {
    const message = await messageOf(config(patch));
    expect(message).toContain(
      `${where} gives ${field} twice, as ${field} and as ${jsonNameOf(field)} (its proto3 JSON name); keep one (protobuf's JSON parser refuses this too: "duplicate field")`,
    );
  });

  it('refuses both names even when one of them is null, as protobuf does', async () => {
    expect(await messageOf(config((c) => (provider(c).jwks_uri = null)))).toContain('gives jwks_uri twice');
  });

  it.each([
    ['a providerId no provider defines', (c: Doc) => (rule(c).requirements[0].providerId = 'firebase'), 'authentication.rules[0].requirements[0]: providerId "firebase" is not defined; defined: sa'],
    ['a requirement without providerId', (c: Doc) => (rule(c).requirements = [{ audiences: 'x' }]), 'authentication.rules[0].requirements[0]: provider_id nothing is not defined'],
    ['allowWithoutCredential that is not a boolean', (c: Doc) => (rule(c).allowWithoutCredential = 'yes'), 'authentication.rules[0]: allowWithoutCredential must be a boolean, got a string'],
    ['allowUnregisteredCalls that is not a boolean', (c: Doc) => (c['usage'] = { rules: [{ selector: '*', allowUnregisteredCalls: 1 }] }), 'usage.rules[0]: allowUnregisteredCalls must be a boolean, got a number'],
    ['a jwksUri that is no URL or key', (c: Doc) => (provider(c).jwksUri = 'ftp://keys.example.com'), 'provider "sa": jwksUri is neither an http(s) URL nor a base64 key'],
    ['empty jwtLocations', (c: Doc) => (provider(c).jwtLocations = []), 'provider "sa": jwtLocations must be a non-empty list'],
    ['a query location with a valuePrefix', (c: Doc) => (provider(c).jwtLocations = [{ query: 't', valuePrefix: 'x' }]), 'JwtLocation type [query] should be set without valuePrefix'],
    ['additionalBindings that are not a list', (c: Doc) => (httpRule(c).additionalBindings = {}), 'http.rules[0]: additionalBindings must be a list, got a mapping'],
    ['nested additionalBindings', (c: Doc) => (httpRule(c).additionalBindings = [{ get: '/x', additionalBindings: [] }]), 'http.rules[0].additionalBindings[0]: additionalBindings may not nest'],
  ])('names the field as the file spells it: %s', async (_label, patch, expected) => {
    expect(await messageOf(config(patch))).toContain(expected);
  });
});

describe('jsonNameOf', () => {
  it.each([
    ['jwks_uri', 'jwksUri'],
    ['allow_without_credential', 'allowWithoutCredential'],
    ['selector', 'selector'],
    ['b_o_o_k', 'bOOK'],
    ['foo__bar', 'fooBar'],
  ])('%s → %s, as protoc derives a JSON name', (proto, json) => {
    expect(jsonNameOf(proto)).toBe(json);
  });
});
