import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EndpointsAuthModule } from '../../lib/index.js';
import { startupError } from '../api-config/spec-kit.js';
import { type BuiltCli, buildCli, CLI_BUILD_TIMEOUT_MS, CLI_TEST_TIMEOUT_MS, writeSpec } from './cli-kit.js';

// Each test spawns the CLI: seconds apiece on a loaded machine (see cli-kit.ts).
vi.setConfig({ testTimeout: CLI_TEST_TIMEOUT_MS });

/** `endpoints-auth check`, spawned as a user runs it, on spec files written for each case. */

const SYMMETRIC = Buffer.alloc(32, 7).toString('base64');

const openApi2 = {
  swagger: '2.0',
  info: { title: 'check', version: '1' },
  host: 'api.example.com',
  securityDefinitions: {
    remote: {
      type: 'oauth2', flow: 'implicit', authorizationUrl: '',
      'x-google-issuer': 'https://issuer.example.com',
      'x-google-jwks_uri': 'https://issuer.example.com/jwks.json?key=secret',
      'x-google-audiences': 'aud-1,, https://aud-2.example.com/',
    },
    shared: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': 'shared-issuer', 'x-google-jwks_uri': SYMMETRIC },
    robot: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': 'robot@proj.iam.gserviceaccount.com' },
    discovered: {
      type: 'oauth2', flow: 'implicit', authorizationUrl: '',
      'x-google-issuer': 'https://login.example.com',
      'x-google-jwt-locations': [{ header: 'X-Token' }, { query: 'jwt' }],
    },
    api_key: { type: 'apiKey', name: 'key', in: 'query' },
  },
  paths: {},
};

let cli: BuiltCli;
let dir: string;

beforeAll(async () => {
  [cli, dir] = await Promise.all([buildCli(), mkdtemp(join(tmpdir(), 'endpoints-auth-check-'))]);
}, CLI_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([cli?.remove(), dir && rm(dir, { recursive: true, force: true })]);
});

describe('endpoints-auth check', () => {
  it('lists every definition of an OpenAPI 2 spec: issuer, key source, audiences, locations; then the warnings', async () => {
    const spec = await writeSpec(dir, 'openapi.yaml', openApi2);
    const result = await cli.run(['check', '--spec', spec]);
    expect(result.code, result.stderr).toBe(0);
    const out = result.stdout;
    expect(out).toContain(`${spec}: OpenAPI 2.0\ndefinitions (4):\n  remote\n    issuer     https://issuer.example.com\n`);
    // The query of a key URL may hold an API key: left out, as in the module's log lines.
    expect(out).toContain('    keys       https://issuer.example.com/jwks.json?…\n    audiences  aud-1, aud-2.example.com\n');
    expect(out).not.toContain('secret');
    expect(out).toContain('    keys       symmetric key in the spec (HS256)\n    audiences  api.example.com\n');
    expect(out).toContain('  robot\n    issuer     robot@proj.iam.gserviceaccount.com\n    keys       inferred service-account certificates at https://www.googleapis.com/robot/v1/metadata/x509/robot@proj.iam.gserviceaccount.com\n');
    expect(out).toContain('    keys       OpenID discovery at https://login.example.com/.well-known/openid-configuration\n');
    expect(out).toContain('    locations  header X-Token, query jwt\n');
    expect(out).toContain('    locations  header Authorization "Bearer ", header X-Goog-Iap-Jwt-Assertion, query access_token\n');
    // No security names it, so the spec loads; the line says where the key is read and what start-up needs.
    expect(out).toContain('  api_key: API key (in: query, name: key); start-up fails without apiKeys once a security names it\n');
    expect(out).not.toContain('API key required on');
    expect(out).toContain('warnings (1):\n  security definition "remote": empty entries in x-google-audiences are ignored\nok: the spec loads\n');
    expect(result.stderr).toBe('');
  });

  it('reads OpenAPI 3 (x-google-auth) and a gRPC service configuration', async () => {
    const v3 = await writeSpec(dir, 'openapi3.json', {
      openapi: '3.0.3',
      info: { title: 'v3', version: '1' },
      servers: [{ url: 'https://v3.example.com', 'x-google-endpoint': {} }],
      components: { securitySchemes: { auth: { type: 'oauth2', flows: {}, 'x-google-auth': { issuer: 'https://v3-issuer', jwksUri: 'https://v3-issuer/keys', audiences: ['a', 'b'] } } } },
      paths: {},
    });
    const config = await writeSpec(dir, 'api_config.yaml', [
      'type: google.api.Service',
      'name: grpc.example.com',
      'authentication:',
      '  providers:',
      '  - id: sa',
      '    issuer: caller@proj.iam.gserviceaccount.com',
      '  rules:',
      '  - selector: "*"',
      '    requirements:',
      '    - provider_id: sa',
    ].join('\n'));
    const [openApi3, serviceConfig] = await Promise.all([cli.run(['check', '--spec', v3]), cli.run(['check', '--spec', config])]);
    expect(openApi3.code, openApi3.stderr).toBe(0);
    expect(openApi3.stdout).toContain(': OpenAPI 3.0.3\ndefinitions (1):\n  auth\n    issuer     https://v3-issuer\n    keys       https://v3-issuer/keys\n    audiences  a, b\n');
    expect(serviceConfig.code, serviceConfig.stderr).toBe(0);
    expect(serviceConfig.stdout).toContain(': gRPC service configuration\ndefinitions (1):\n  sa\n');
    expect(serviceConfig.stdout).toContain('    keys       inferred service-account certificates at https://www.googleapis.com/robot/v1/metadata/x509/caller@proj.iam.gserviceaccount.com\n    audiences  grpc.example.com\n');
  });

  it('lists the audiences an x-security or a service config requirement puts in place of a definition\'s own', async () => {
    const v2 = await writeSpec(dir, 'x-security.yaml', {
      ...openApi2,
      'x-security': [{ shared: { audiences: ['https://api-level.example.com/'] } }],
      paths: { '/a': { get: { security: [{ remote: [] }], 'x-security': [{ shared: { audiences: ['aud-a', 'aud-b'] } }] } }, '/b': { get: {} } },
    });
    const config = await writeSpec(dir, 'rule-audiences.yaml', [
      'type: google.api.Service',
      'name: grpc.example.com',
      'authentication:',
      '  providers:',
      '  - id: sa',
      '    issuer: caller@proj.iam.gserviceaccount.com',
      '  rules:',
      '  - selector: "*"',
      '    requirements:',
      '    - provider_id: sa',
      '  - selector: pkg.Svc.Get',
      '    requirements:',
      '    - provider_id: sa',
      '      audiences: get-only, https://other/',
    ].join('\n'));
    const [openApi, serviceConfig] = await Promise.all([cli.run(['check', '--spec', v2]), cli.run(['check', '--spec', config])]);
    expect(openApi.code, openApi.stderr).toBe(0);
    expect(openApi.stdout).toContain("audiences that replace a definition's own:\n  the API level: shared → api-level.example.com\n  GET /a: shared → aud-a, aud-b\nwarnings");
    expect(serviceConfig.code, serviceConfig.stderr).toBe(0);
    expect(serviceConfig.stdout).toContain("audiences that replace a definition's own:\n  rule pkg.Svc.Get: sa → get-only, other\nwarnings");
    // A spec without any says nothing of them.
    const plain = await cli.run(['check', '--spec', await writeSpec(dir, 'plain.yaml', openApi2)]);
    expect(plain.stdout).not.toContain('audiences that replace');
  });

  it('fails with the message the module fails its start-up with', async () => {
    const twice = await writeSpec(dir, 'same-issuer.yaml', {
      ...openApi2,
      securityDefinitions: { a: openApi2.securityDefinitions.remote, b: openApi2.securityDefinitions.remote },
    });
    const broken = await writeSpec(dir, 'broken.yaml', 'swagger: "2.0"\nsecurityDefinitions:\n  a: [unclosed\n');
    for (const spec of [twice, broken, join(dir, 'missing.yaml')]) {
      const [result, moduleError] = await Promise.all([
        cli.run(['check', '--spec', spec]),
        startupError({ imports: [EndpointsAuthModule.forRoot({ spec })] }),
      ]);
      expect(result.code, result.stdout).toBe(1);
      expect(moduleError.name).toBe('SpecError');
      expect(result.stderr).toContain(`error: ${moduleError.message}\n`);
      expect(result.stdout).toBe('');
    }
  });

  it('lists the warnings before the error when a spec that warns does not load', async () => {
    const spec = await writeSpec(dir, 'no-service.yaml', {
      ...openApi2,
      host: undefined,
      securityDefinitions: { remote: openApi2.securityDefinitions.remote, bare: { ...openApi2.securityDefinitions.shared, 'x-google-issuer': 'bare' } },
    });
    const result = await cli.run(['check', '--spec', spec]);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^warnings \(1\):\n {2}security definition "remote": empty entries in x-google-audiences are ignored\nerror: nestjs-endpoints-auth: .*no-service\.yaml: security definition "bare" has no x-google-audiences and the service name is unknown/);
    // --service-name supplies the missing audience, as the serviceName option does.
    const named = await cli.run(['check', '--spec', spec, '--service-name', 'named.example.com']);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout).toContain('  bare\n    issuer     bare\n    keys       symmetric key in the spec (HS256)\n    audiences  named.example.com\n');
  });

  it('describes API keys by --api-keys, and fails without it as the module fails without apiKeys', async () => {
    const spec = await writeSpec(dir, 'api-keys.yaml', {
      ...openApi2,
      securityDefinitions: {
        remote: openApi2.securityDefinitions.remote,
        api_key: openApi2.securityDefinitions.api_key,
        header_key: { type: 'apiKey', name: 'X-My-Key', in: 'header' },
        bare_key: { type: 'apiKey' },
      },
      paths: {
        '/books': { get: { security: [{ remote: [], api_key: [] }] }, post: { security: [{ header_key: [] }] } },
        '/shelves': { get: { security: [{ remote: [] }] } },
      },
    });
    const [none, validate, unchecked, moduleError] = await Promise.all([
      cli.run(['check', '--spec', spec]),
      cli.run(['check', '--spec', spec, '--api-keys', 'validate']),
      cli.run(['check', '--spec', spec, '--api-keys', 'unchecked']),
      startupError({ imports: [EndpointsAuthModule.forRoot({ spec })] }),
    ]);
    expect(none.code).toBe(1);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain(`error: ${moduleError.message}\nhint: add --api-keys validate or --api-keys unchecked`);
    expect(moduleError.message).toContain('an API key is required on GET /books, POST /books (');

    expect(validate.code, validate.stderr).toBe(0);
    expect(validate.stdout).toContain('  api_key: API key (in: query, name: key); checked by apiKeys.validate\n');
    expect(validate.stdout).toContain('  header_key: API key (in: header, name: X-My-Key); checked by apiKeys.validate\n');
    expect(validate.stdout).toContain(
      "  bare_key: API key (ESP's defaults: query key, query api_key, header x-api-key); checked by apiKeys.validate\n",
    );
    expect(validate.stdout).toContain('API key required on: GET /books, POST /books\n');
    expect(validate.stdout).not.toContain('never accepts a token');

    expect(unchecked.code, unchecked.stderr).toBe(0);
    expect(unchecked.stdout).toContain("  api_key: API key (in: query, name: key); left unchecked (apiKeys: 'unchecked')\n");
    expect(unchecked.stdout).toContain("  API keys are not checked (apiKeys: 'unchecked') on GET /books, POST /books: ");
    expect(unchecked.stdout).not.toContain('API key required on');
  });

  it('refuses bad arguments with a clear error and exit code 2, and prints its help', async () => {
    const [missing, unknown, positionals, help, apiKeys] = await Promise.all([
      cli.run(['check']),
      cli.run(['check', '--spec', 'x.yaml', '--verbose']),
      cli.run(['check', 'a.yaml', 'b.yaml']),
      cli.run(['check', '--help']),
      cli.run(['check', '--spec', 'x.yaml', '--api-keys', 'yes']),
    ]);
    expect(apiKeys).toMatchObject({ code: 2, stdout: '', stderr: 'error: --api-keys must be "validate" or "unchecked"\n' });
    expect(missing).toMatchObject({ code: 2, stdout: '', stderr: 'error: check: a spec file (the argument or --spec) is required\n' });
    expect(unknown).toMatchObject({ code: 2, stderr: `error: unknown option --verbose\nRun "endpoints-auth check --help" for the options.\n` });
    expect(positionals).toMatchObject({ code: 2, stdout: '' });
    expect(positionals.stderr).toContain('check takes at most 1 argument besides its options, got 2');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: endpoints-auth check <file> \| --spec <file>/);
  });

  it('takes the spec as its argument, as users type it, but not twice', async () => {
    const specFile = await writeSpec(dir, 'positional.yaml', openApi2);
    const positional = await cli.run(['check', specFile]);
    expect(positional.code).toBe(0);
    expect(positional.stdout).toContain('ok: the spec loads');
    const both = await cli.run(['check', specFile, '--spec', specFile]);
    expect(both).toMatchObject({ code: 2, stderr: 'error: check: give the spec once, as --spec <file> or as the argument\n' });
  });

  it('never echoes a token pasted in the wrong place', async () => {
    const specFile = await writeSpec(dir, 'pasted.yaml', openApi2);
    const token = fakeToken();
    const runs = await Promise.all([
      cli.run(['check', token]),
      cli.run(['check', `Bearer ${token}`]),
      cli.run(['check', '--spec', specFile, `--${token}`]),
      cli.run(['check', '--spec', specFile, '--api-keys', token]),
      cli.run(['check', '--spec', specFile, '--service-name']),
      cli.run(['check', specFile, token]),
    ]);
    for (const run of runs) {
      expect(run.code).toBe(2);
      expect(run.stdout + run.stderr).not.toContain(token.slice(0, 20));
    }
    expect(runs[0].stderr).toContain('an argument looks like a token; tokens are read from standard input');
  });
});

describe('endpoints-auth', () => {
  it('lists its commands with --help, and refuses no command or an unknown one with exit code 2', async () => {
    const [help, none, unknown] = await Promise.all([cli.run(['--help']), cli.run([]), cli.run(['frobnicate'])]);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/^Usage: endpoints-auth <command> \[options\]\n\nCommands:\n {2}check {7}load a spec/);
    expect(help.stdout).toContain('  verify      check a token on stdin');
    expect(none).toMatchObject({ code: 2, stdout: '' });
    expect(none.stderr).toMatch(/^Usage: endpoints-auth/);
    expect(unknown).toMatchObject({ code: 2, stdout: '' });
    expect(unknown.stderr).toMatch(/^error: unknown command "frobnicate"\n/);
  });
});

/** A token-shaped argument (never a real one): three base64url segments, the first a JSON object's. */
function fakeToken(): string {
  const segment = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${segment({ alg: 'RS256', kid: 'k' })}.${segment({ sub: 'pasted-by-mistake' })}.${'s'.repeat(40)}`;
}
