import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { mkdirSync } from 'node:fs';
import { Test } from '@nestjs/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { EndpointsAuthModule, type EndpointsAuthModuleOptions, Public, Secured, SpecError } from '../../lib/index.js';
import { CapturingLogger, TempDir, startWith, startsCleanly, startupError } from './spec-kit.js';

/** Never fetched: every app in this file fails (or is closed) before it serves a request. */
const JWKS = 'http://127.0.0.1:9/jwks';

type Doc = Record<string, unknown>;

/** A valid OpenAPI 2 document with two JWT definitions and an apiKey one; `patch` replaces top-level keys. */
function openApi2(patch: Doc = {}): Doc {
  return {
    swagger: '2.0',
    info: { title: 'spec errors', version: '1' },
    host: 'svc.example.com',
    securityDefinitions: {
      alpha: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': 'https://alpha.example.com', 'x-google-jwks_uri': JWKS },
      beta: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': 'https://beta.example.com', 'x-google-jwks_uri': JWKS },
      api_key: { type: 'apiKey', name: 'key', in: 'query' },
    },
    paths: {},
    ...patch,
  };
}

/** `openApi2()` with the definition `name` replaced by `definition`. */
function withDefinition(name: string, definition: Doc, patch: Doc = {}): Doc {
  const document = openApi2(patch);
  return { ...document, securityDefinitions: { ...(document['securityDefinitions'] as Doc), [name]: definition } };
}

function oauth2(fields: Doc): Doc {
  return { type: 'oauth2', flow: 'implicit', authorizationUrl: '', ...fields };
}

/** The start-up error of an app that imports only `EndpointsAuthModule.forRoot(options)`. */
function failureOf(options: string | EndpointsAuthModuleOptions, controllers: (new () => unknown)[] = []): Promise<Error> {
  return startupError({ imports: [EndpointsAuthModule.forRoot(options)], controllers });
}

/** Asserts a SpecError whose message is `nestjs-endpoints-auth: <source>: ...` and contains every `part`. */
function expectSpecError(error: Error, source: string, ...parts: string[]): void {
  expect(error).toBeInstanceOf(SpecError);
  expect(error.message.startsWith(`nestjs-endpoints-auth: ${source}: `)).toBe(true);
  for (const part of parts) expect(error.message).toContain(part);
}

describe('a spec file that cannot be read or parsed fails start-up', () => {
  const dir = new TempDir();
  afterAll(() => dir.remove());

  it('names the file and says "file not found" when the spec file does not exist', async () => {
    const path = dir.file('missing.yaml');
    const error = await failureOf({ spec: path });
    expectSpecError(error, path, 'file not found', 'ENOENT');
  });

  it('names the file and says "file unreadable" when the spec path is a directory', async () => {
    const path = dir.file('a-folder.yaml');
    mkdirSync(path);
    const error = await failureOf({ spec: path });
    expectSpecError(error, path, 'file unreadable', 'EISDIR');
  });

  const yamlHead = [
    "swagger: '2.0'",
    'info:',
    '  title: test',
    "  version: '1'",
    'host: svc.example.com',
    'securityDefinitions:',
    '  alpha:',
    '    type: oauth2',
  ];
  const brokenYaml = [
    {
      problem: 'a definition written twice',
      reason: 'Map keys must be unique',
      line: 11,
      text: [...yamlHead, '    x-google-issuer: https://alpha.example.com', `    x-google-jwks_uri: ${JWKS}`, '  alpha:', '    type: oauth2'],
    },
    {
      problem: 'a tab used as indentation',
      reason: 'Tabs are not allowed as indentation',
      line: 9,
      text: [...yamlHead, '\tx-google-issuer: https://alpha.example.com', `    x-google-jwks_uri: ${JWKS}`],
    },
  ];

  it.each(brokenYaml)('names the file and the parser’s reason for broken YAML ($problem)', async ({ text, reason }) => {
    const path = dir.write(`broken-${text.length}.yaml`, text.join('\n') + '\n');
    const error = await failureOf({ spec: path });
    expectSpecError(error, path, 'invalid YAML', reason);
  });

  it.each(brokenYaml)('gives the line of broken YAML ($problem on line $line)', async ({ text, line }) => {
    const path = dir.write(`broken-line-${text.length}.yaml`, text.join('\n') + '\n');
    const error = await failureOf({ spec: path });
    expectSpecError(error, path, `invalid YAML at line ${line}:`);
  });

  it.each([
    {
      problem: 'a trailing comma, reported where the closing brace on line 4 is',
      line: 4,
      text: '{\n  "swagger": "2.0",\n  "info": {"title": "t"},\n}\n',
    },
    {
      problem: 'a missing comma after line 2, reported at line 3',
      line: 3,
      text: '{\n  "swagger": "2.0"\n  "info": {"title": "t"}\n}\n',
    },
    {
      problem: 'a file cut short after line 5',
      line: 6,
      text: '{\n  "swagger": "2.0",\n  "securityDefinitions": {\n    "alpha": {\n      "type": "oauth2",\n',
    },
    {
      problem: 'a misspelt literal on line 3, which V8 reports without a position',
      line: 3,
      text: '{\n  "swagger": "2.0",\n  "x": tru\n}\n',
    },
  ])('names the file and the line of broken JSON ($problem)', async ({ text, line }) => {
    const path = dir.write(`broken-${line}.json`, text);
    const error = await failureOf({ spec: path });
    expectSpecError(error, path, `invalid JSON at line ${line}:`);
  });

  it.each([
    ['a list', 'list.yaml', '- swagger: "2.0"\n- paths: {}\n', 'got a list'],
    ['a plain string', 'string.yaml', 'just some text\n', 'got a string'],
    ['an empty file', 'empty.yaml', '', 'got null'],
    ['a JSON list', 'list.json', '[{"swagger": "2.0"}]\n', 'got a list'],
    ['a JSON number', 'number.json', '42\n', 'got a number'],
  ])('names the file and says the document must be a mapping when it is %s', async (_what, name, text, got) => {
    const path = dir.write(name, text);
    const error = await failureOf({ spec: path });
    expectSpecError(error, path, 'the document must be a mapping', got);
  });
});

describe('a spec option that is neither a path nor a document fails start-up', () => {
  it.each([
    ['a number', 42, 'got a number'],
    ['a boolean', true, 'got a boolean'],
    ['null', null, 'got null'],
    ['undefined', undefined, 'got nothing'],
    ['a list', [openApi2()], 'got a list'],
    ['an empty path', '', 'got an empty string'],
  ])('refuses %s as the spec and says what it got', async (_what, spec, got) => {
    const error = await failureOf({ spec: spec as unknown as string });
    expectSpecError(error, 'options', '"spec" must be a file path or a parsed OpenAPI document', got);
  });
});

describe('security definitions ESP would refuse fail start-up', () => {
  it('says there are no security definitions when the document has none', async () => {
    const { securityDefinitions: _, ...document } = openApi2();
    expectSpecError(await failureOf({ spec: document }), 'spec object', 'no security definitions');
  });

  it('says there are no security definitions when securityDefinitions is empty', async () => {
    expectSpecError(await failureOf({ spec: openApi2({ securityDefinitions: {} }) }), 'spec object', 'no security definitions');
  });

  it('lists the definitions it found when none of them names an issuer', async () => {
    const spec = openApi2({ securityDefinitions: { api_key: { type: 'apiKey', name: 'key', in: 'query' } } });
    expectSpecError(await failureOf({ spec }), 'spec object', 'no security definition names an issuer', 'api_key');
  });

  it('names the oauth2 definition that has no x-google-issuer', async () => {
    const spec = withDefinition('beta', oauth2({ 'x-google-jwks_uri': JWKS }));
    expectSpecError(await failureOf({ spec }), 'spec object', 'security definition "beta" has no x-google-issuer');
  });

  it('names the OpenAPI 3 openIdConnect scheme whose x-google-auth has no issuer', async () => {
    const spec = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      components: {
        securitySchemes: {
          gamma: { type: 'openIdConnect', openIdConnectUrl: 'https://x.example.com', 'x-google-auth': { jwksUri: JWKS, audiences: ['a'] } },
        },
      },
      paths: {},
    };
    expectSpecError(await failureOf({ spec }), 'spec object', 'security definition "gamma" has no x-google-issuer');
  });

  it.each(['TODO', 'none', 'changeme'])('refuses the placeholder x-google-jwks_uri "%s", a symmetric key anyone could guess', async (value) => {
    const spec = withDefinition('beta', oauth2({ 'x-google-issuer': 'https://beta.example.com', 'x-google-jwks_uri': value }));
    expectSpecError(await failureOf({ spec }), 'spec object', 'security definition "beta": the symmetric key in x-google-jwks_uri is shorter than 32 bytes');
  });

  it('names the definition whose x-google-jwks_uri is neither a URL nor a base64 key', async () => {
    const spec = withDefinition('beta', oauth2({ 'x-google-issuer': 'https://beta.example.com', 'x-google-jwks_uri': 'not a key!' }));
    expectSpecError(await failureOf({ spec }), 'spec object', 'security definition "beta": x-google-jwks_uri is neither an http(s) URL nor a base64 key');
  });

  it('names both definitions and the issuer when two definitions have the same issuer', async () => {
    const spec = withDefinition('beta', oauth2({ 'x-google-issuer': 'https://alpha.example.com', 'x-google-jwks_uri': JWKS }));
    expectSpecError(
      await failureOf({ spec }),
      'spec object',
      'security definitions "alpha" and "beta" have the same issuer "https://alpha.example.com"',
    );
  });

  it('treats both spellings of Google’s ID-token issuer as one issuer', async () => {
    const spec = withDefinition('bare', oauth2({ 'x-google-issuer': 'accounts.google.com', 'x-google-jwks_uri': JWKS }));
    const google = withDefinition('google', oauth2({ 'x-google-issuer': 'https://accounts.google.com', 'x-google-jwks_uri': JWKS }));
    spec['securityDefinitions'] = { ...(google['securityDefinitions'] as Doc), ...(spec['securityDefinitions'] as Doc) };
    expectSpecError(
      await failureOf({ spec }),
      'spec object',
      'security definitions "google" and "bare" have the same issuer "accounts.google.com"',
    );
  });

  it('names the unknown definition in the top-level security and lists the defined ones', async () => {
    const spec = openApi2({ security: [{ alpha: [] }, { ghost: [] }] });
    expectSpecError(
      await failureOf({ spec }),
      'spec object',
      'security: security[1] names the unknown security definition "ghost"',
      'defined: alpha, beta, api_key',
    );
  });

  it('names the operation and the unknown definition in a per-operation security', async () => {
    const spec = openApi2({ paths: { '/shelves/{shelf}': { delete: { operationId: 'deleteShelf', security: [{ ghost: [] }] } } } });
    expectSpecError(
      await failureOf({ spec }),
      'spec object',
      'paths["/shelves/{shelf}"].delete: security[0] names the unknown security definition "ghost"',
      'defined: alpha, beta, api_key',
    );
  });

  it('refuses two JWT definitions ANDed in one requirement object, naming both', async () => {
    const spec = openApi2({ security: [{ alpha: [], beta: [] }] });
    expectSpecError(await failureOf({ spec }), 'spec object', 'security[0] ANDs alpha and beta', 'only alternatives');
  });

  it('refuses two JWT definitions ANDed in an operation’s requirement, naming the operation', async () => {
    const spec = openApi2({ paths: { '/shelves': { post: { security: [{ alpha: [] }, { beta: [], alpha: [] }] } } } });
    expectSpecError(await failureOf({ spec }), 'spec object', 'paths["/shelves"].post: security[1] ANDs beta and alpha');
  });

  it('refuses a query location with a value_prefix in x-google-jwt-locations, as ESPv2 does', async () => {
    const spec = withDefinition(
      'beta',
      oauth2({
        'x-google-issuer': 'https://beta.example.com',
        'x-google-jwks_uri': JWKS,
        'x-google-jwt-locations': [{ header: 'Authorization', value_prefix: 'Bearer ' }, { query: 'jwt', value_prefix: 'Bearer ' }],
      }),
    );
    expectSpecError(
      await failureOf({ spec }),
      'spec object',
      'security definition "beta": x-google-jwt-locations[1]: JwtLocation type [query] should be set without valuePrefix',
    );
  });

  it('refuses a query location with a valuePrefix in an OpenAPI 3 x-google-auth.jwtLocations', async () => {
    const spec = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      components: {
        securitySchemes: {
          gamma: {
            type: 'oauth2',
            'x-google-auth': { issuer: 'https://gamma.example.com', jwksUri: JWKS, audiences: ['a'], jwtLocations: [{ query: 'jwt', valuePrefix: 'x' }] },
          },
        },
      },
      paths: {},
    };
    expectSpecError(await failureOf({ spec }), 'spec object', 'security definition "gamma"', 'JwtLocation type [query] should be set without valuePrefix');
  });

  it.each([
    ['a number', 42, 'got a number'],
    ['a mapping', { aud: 'x' }, 'got a mapping'],
    ['a list holding a number', ['ok', 7], 'got a list'],
    ['a boolean', true, 'got a boolean'],
  ])('refuses x-google-audiences given as %s, naming the definition', async (_what, audiences, got) => {
    const spec = withDefinition('beta', oauth2({ 'x-google-issuer': 'https://beta.example.com', 'x-google-jwks_uri': JWKS, 'x-google-audiences': audiences }));
    expectSpecError(
      await failureOf({ spec }),
      'spec object',
      'security definition "beta": x-google-audiences must be a comma-separated string',
      got,
    );
  });

  it('refuses a definition without audiences when the document has no host and no serviceName is given', async () => {
    const { host: _, ...spec } = openApi2();
    expectSpecError(
      await failureOf({ spec }),
      'spec object',
      'security definition "alpha" has no x-google-audiences and the service name is unknown',
      'serviceName',
      'disableServiceNameAudienceCheck',
    );
  });

  it('names the file path, not "spec object", when a definition in a YAML file is wrong', async () => {
    const dir = new TempDir();
    try {
      const path = dir.write('openapi.yaml', stringify(withDefinition('beta', oauth2({ 'x-google-jwks_uri': JWKS }))));
      expectSpecError(await failureOf(path), path, 'security definition "beta" has no x-google-issuer');
    } finally {
      dir.remove();
    }
  });
});

describe('@Secured() naming an unknown definition fails start-up', () => {
  const spec = openApi2();

  it('names the name, Controller.handler and the definitions that exist, for a handler', async () => {
    @Controller('handler-level')
    class ShelvesController {
      @Get()
      list() {
        return [];
      }

      @Secured('alpha', 'nope')
      @Get('secret')
      secret() {
        return {};
      }
    }
    expectSpecError(
      await failureOf({ spec }, [ShelvesController]),
      'spec object',
      '@Secured("nope") on ShelvesController.secret names no security definition',
      'defined: alpha, beta',
    );
  });

  it('names the name, the controller and the definitions that exist, for a controller', async () => {
    @Secured('nope')
    @Controller('controller-level')
    class BooksController {
      @Public()
      @Get()
      list() {
        return [];
      }
    }
    expectSpecError(
      await failureOf({ spec }, [BooksController]),
      'spec object',
      '@Secured("nope") on BooksController names no security definition',
      'defined: alpha, beta',
    );
  });

  it('checks providers too (GraphQL resolvers are providers), naming Provider.method', async () => {
    @Injectable()
    class ShelfResolver {
      @Secured('nope')
      shelves() {
        return [];
      }
    }
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec })], providers: [ShelfResolver] })
    class AppModule {}
    expectSpecError(await startupError({ imports: [AppModule] }), 'spec object', '@Secured("nope") on ShelfResolver.shelves');
  });

  it('refuses @Secured() naming an apiKey definition, which cannot carry a JWT', async () => {
    @Controller('api-key')
    class KeyController {
      @Secured('api_key')
      @Get()
      get() {
        return {};
      }
    }
    expectSpecError(
      await failureOf({ spec }, [KeyController]),
      'spec object',
      '@Secured("api_key") on KeyController.get names a definition without x-google-issuer',
    );
  });

  it('starts when every @Secured() name is a JWT definition of the spec', async () => {
    @Secured('alpha')
    @Controller('fine')
    class FineController {
      @Secured('alpha', 'beta')
      @Get()
      get() {
        return {};
      }
    }
    await startsCleanly({ imports: [EndpointsAuthModule.forRoot({ spec })], controllers: [FineController] });
  });
});

describe('options that cannot work fail start-up', () => {
  const spec = openApi2();

  it.each([
    ['clockSkewSeconds: -1', { clockSkewSeconds: -1 }, '"clockSkewSeconds" must be a number from 0 to 3600'],
    ['clockSkewSeconds: NaN', { clockSkewSeconds: Number.NaN }, '"clockSkewSeconds" must be a number from 0 to 3600'],
    ['clockSkewSeconds: "60" (a string)', { clockSkewSeconds: '60' }, '"clockSkewSeconds" must be a number from 0 to 3600'],
    ['maxTokenBytes: 0', { maxTokenBytes: 0 }, '"maxTokenBytes" must be a number >= 1'],
    ['userInfoHeader: "ESPv2" (wrong case)', { userInfoHeader: 'ESPv2' }, '"userInfoHeader" must be false, "espv2" or "esp"'],
    ['userInfoHeader: true', { userInfoHeader: true }, '"userInfoHeader" must be false, "espv2" or "esp"'],
    ['maxTokenBytes: Infinity', { maxTokenBytes: Number.POSITIVE_INFINITY }, '"maxTokenBytes" must be a number >= 1'],
    ['keyCache.ttlSeconds: 0', { keyCache: { ttlSeconds: 0 } }, '"keyCache.ttlSeconds" must be a number >= 1'],
    ['clockSkewSeconds: 1e9 (which would switch exp off)', { clockSkewSeconds: 1e9 }, '"clockSkewSeconds" must be a number from 0 to 3600'],
    ['disableServiceNameAudienceCheck: "false" (a string from an environment variable)', { disableServiceNameAudienceCheck: 'false' }, '"disableServiceNameAudienceCheck" must be true or false'],
    ['serviceName: ""', { serviceName: '' }, '"serviceName" must be a non-empty string'],
    ['keyCache.fetchTimeoutMs: -5', { keyCache: { fetchTimeoutMs: -5 } }, '"keyCache.fetchTimeoutMs" must be a number >= 1'],
  ])('refuses %s with a message naming the option and its limit', async (_what, options, message) => {
    const error = await failureOf({ spec, ...(options as object) });
    expectSpecError(error, 'options', message);
  });

  it('accepts the boundary values clockSkewSeconds: 0 and maxTokenBytes: 1', async () => {
    await startsCleanly({ imports: [EndpointsAuthModule.forRoot({ spec, clockSkewSeconds: 0, maxTokenBytes: 1 })] });
  });
});

describe('a malformed x-security fails start-up with the place in the document (R14)', () => {
  const aud = (audiences: unknown) => ({ audiences });
  const operation = (xSecurity: unknown) => ({ paths: { '/a': { get: { 'x-security': xSecurity } } } });

  it.each([
    ['a mapping, not a list', { 'x-security': { alpha: aud(['a']) } }, 'x-security must be a list, got a mapping'],
    ['null', { 'x-security': null }, 'x-security must be a list, got null'],
    ['an entry that is not a mapping', { 'x-security': ['alpha'] }, 'x-security[0] must be a mapping, got a string'],
    [
      'an unknown definition',
      { 'x-security': [{ alpha: aud(['a']) }, { gamma: aud(['a']) }] },
      'x-security[1] names the unknown security definition "gamma"; x-security takes JWT definitions: alpha, beta',
    ],
    ['an apiKey definition', { 'x-security': [{ api_key: aud(['a']) }] }, 'x-security[0] names "api_key", which is not a JWT definition'],
    ['two definitions ANDed in one entry', { 'x-security': [{ alpha: aud(['a']), beta: aud(['b']) }] }, 'x-security[0] ANDs alpha and beta'],
    ['a definition given a scope list, as in security', { 'x-security': [{ alpha: [] }] }, 'x-security[0].alpha must be a mapping with audiences (a list of strings), got a list'],
    ['no audiences (the API Compiler refuses {})', { 'x-security': [{ alpha: {} }] }, 'x-security[0].alpha.audiences must be a list of strings, got nothing'],
    ['audiences as a comma-separated string', { 'x-security': [{ alpha: aud('a,b') }] }, 'x-security[0].alpha.audiences must be a list of strings, got a string'],
    ['an audience that is not a string', { 'x-security': [{ alpha: aud(['a', 5]) }] }, 'x-security[0].alpha.audiences must be a list of strings, got a list with an entry that is not a string'],
    ['on an operation: an unknown definition', operation([{ gamma: aud(['a']) }]), 'paths["/a"].get.x-security[0] names the unknown security definition "gamma"'],
    ['on an operation: not a list', operation('alpha'), 'paths["/a"].get.x-security must be a list, got a string'],
    ['on an operation: a misspelt audiences member', operation([{ beta: { audience: ['a'] } }]), 'paths["/a"].get.x-security[0].beta.audiences must be a list of strings, got nothing'],
  ])('refuses %s', async (_what, patch, message) => {
    expectSpecError(await failureOf({ spec: openApi2(patch) }), 'spec object', message);
  });

  it.each([
    ['at the top level', { 'x-security': [{ gamma: { audiences: ['a'] } }] }, 'x-security: '],
    ['on an operation', { paths: { '/a': { get: { 'x-security': [{ gamma: { audiences: ['a'] } }] } } } }, 'paths["/a"].get.x-security: '],
  ])('refuses x-security %s of an OpenAPI 3 document, where Endpoints does not document it', async (_where, patch, where) => {
    const spec = {
      openapi: '3.0.3',
      info: { title: 't', version: '1' },
      servers: [{ url: 'https://svc.example.com', 'x-google-endpoint': {} }],
      components: { securitySchemes: { gamma: { type: 'oauth2', flows: {}, 'x-google-auth': { issuer: 'https://gamma.example.com', jwksUri: JWKS } } } },
      paths: {},
      ...patch,
    };
    expectSpecError(await failureOf({ spec }), 'spec object', `${where}x-security (per-requirement audiences) is an OpenAPI 2 extension that Endpoints does not document for OpenAPI 3`);
  });

  it('warns when a definition is named twice (the last audiences apply) and about empty audiences, and starts', async () => {
    const logger = new CapturingLogger();
    const spec = openApi2({ 'x-security': [{ alpha: { audiences: ['a'] } }, {}, { alpha: { audiences: ['b', 'https://'] } }] });
    const { app } = await startWith({ imports: [EndpointsAuthModule.forRoot({ spec })] }, 'express', logger);
    await app.close();
    expect(logger.messages('warn')).toEqual(
      expect.arrayContaining([
        'x-security[2] names "alpha" again: its audiences replace the earlier entry\'s, as the API Compiler keeps the last',
        'x-security[2].alpha: empty entries in audiences are ignored',
      ]),
    );
  });
});

describe('an audience that is empty once sanitised', () => {
  it('drops an audience that is empty once sanitised ("https://"), so aud "" is never allowed', async () => {
    const spec = withDefinition('alpha', oauth2({ 'x-google-issuer': 'https://alpha.example.com', 'x-google-jwks_uri': JWKS, 'x-google-audiences': 'https://' }), { host: undefined });
    expectSpecError(await failureOf({ spec }), 'spec object', 'security definition "alpha" has no x-google-audiences and the service name is unknown');
  });
});

describe('spec files that are valid but unusual start', () => {
  const dir = new TempDir();
  afterAll(() => dir.remove());

  it('reads a JSON file that starts with a byte-order mark', async () => {
    const path = dir.write('bom.json', '\uFEFF' + JSON.stringify(openApi2()));
    await startsCleanly({ imports: [EndpointsAuthModule.forRoot(path)] });
  });

  it('expands YAML merge keys (<<: *anchor), so shared definition fields are not lost', async () => {
    const text = [
      'swagger: "2.0"',
      'host: svc.example.com',
      'x-defaults: &defaults',
      '  type: oauth2',
      `  x-google-jwks_uri: ${JWKS}`,
      'securityDefinitions:',
      '  alpha:',
      '    <<: *defaults',
      '    x-google-issuer: https://alpha.example.com',
      'paths: {}',
    ].join('\n');
    const path = dir.write('merge.yaml', text + '\n');
    await startsCleanly({ imports: [EndpointsAuthModule.forRoot(path)] });
  });
});

describe('start-up warnings', () => {
  it('warns about, and ignores, an option this version does not support', async () => {
    const logger = new CapturingLogger();
    const options = { spec: openApi2(), forwardPayload: true, keyCache: { prefetch: true } };
    const moduleRef = await Test.createTestingModule({ imports: [EndpointsAuthModule.forRoot(options as never)] })
      .setLogger(logger)
      .compile();
    await moduleRef.close();
    expect(logger.messages('warn')).toContain('option "forwardPayload" is not supported by this version and is ignored');
    expect(logger.messages('warn')).toContain('option "keyCache.prefetch" is not supported by this version and is ignored');
  });

  it('warns about, and ignores, a definition of a type ESP does not support', async () => {
    const logger = new CapturingLogger();
    const spec = withDefinition('basic_auth', { type: 'basic' }, { security: [{ alpha: [] }, { basic_auth: [] }] });
    const moduleRef = await Test.createTestingModule({ imports: [EndpointsAuthModule.forRoot({ spec })] }).setLogger(logger).compile();
    await moduleRef.close();
    expect(logger.messages('warn')).toContain('security definition "basic_auth" (type basic) is not a JWT definition and is ignored');
  });
});
