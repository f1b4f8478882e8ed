import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type TestAccount, decodeJwt, makeAccount, tempDir } from '../client/client-kit.js';
import { TokenServer, closedPort } from '../client/token-server.js';
import { KeyServer } from '../support/key-server.js';
import { nowSeconds, signJwt, makeKey } from '../support/keys.js';
import { type BuiltCli, buildCli, CLI_BUILD_TIMEOUT_MS, CLI_TEST_TIMEOUT_MS, writeSpec } from './cli-kit.js';

// Each test spawns the CLI: seconds apiece on a loaded machine (see cli-kit.ts).
vi.setConfig({ testTimeout: CLI_TEST_TIMEOUT_MS });

/**
 * `endpoints-auth token` and `id-token`, spawned as a user runs them: a token minted from a real key file is
 * accepted by `verify` against the account's X.509 map served on 127.0.0.1; an ID token comes from a fake metadata
 * server on 127.0.0.1. Tokens are asserted on, never logged.
 */

const AUDIENCE = 'https://bookstore.example.com';

let cli: BuiltCli;
let dir: ReturnType<typeof tempDir>;
let account: TestAccount;
let keyFile: string;
let certs: KeyServer;
let spec: string;

beforeAll(async () => {
  dir = tempDir();
  account = makeAccount();
  keyFile = dir.write('key.json', JSON.stringify(account.keyFile));
  [cli, certs] = await Promise.all([buildCli(), new KeyServer().start()]);
  // Google's certificate map for the account: { private_key_id: PEM certificate }.
  certs.set('/x509', { body: { [account.keyId]: account.certificate } });
  spec = await writeSpec(dir.path, 'openapi.yaml', {
    swagger: '2.0',
    info: { title: 'token', version: '1' },
    host: 'bookstore.example.com',
    securityDefinitions: {
      caller: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': account.email, 'x-google-jwks_uri': `${certs.url}/x509` },
    },
    paths: {},
  });
}, CLI_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([cli?.remove(), certs?.stop()]);
  dir?.remove();
});

/** Nothing of the private key may appear in what the CLI printed. */
function expectNoKey(...outputs: string[]) {
  const pem = account.keyFile.private_key!;
  const body = pem.split('\n')[1]!;
  for (const output of outputs) expect(output.includes(body), 'the CLI printed the private key').toBe(false);
}

describe('endpoints-auth token', () => {
  it('mints a service-account JWT that verify accepts against the account\'s certificates', async () => {
    const minted = await cli.run(['token', '--key-file', keyFile, '--audience', AUDIENCE, '--lifetime', '600']);
    expect(minted.code, minted.stderr).toBe(0);
    expect(minted.stderr).toBe('');
    expectNoKey(minted.stdout);
    const token = minted.stdout.trim();
    expect(minted.stdout).toBe(`${token}\n`);
    const { header, payload } = decodeJwt(token);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: account.keyId });
    expect(payload).toMatchObject({ iss: account.email, sub: account.email, aud: AUDIENCE });
    expect(payload.exp - payload.iat).toBe(600);
    expect(Math.abs(payload.iat - nowSeconds())).toBeLessThan(30);

    const verified = await cli.run(['verify', '--spec', spec, '--fetch-timeout', '60000'], { stdin: minted.stdout });
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toMatch(/^accepted by "caller" \(issuer caller@test-project\.iam\.gserviceaccount\.com\); expires in (9|10) minutes\n/);
    expect(certs.count('/x509')).toBeGreaterThan(0);
  });

  it('sets iss and sub with --issuer; verify then refuses it as another issuer\'s', async () => {
    const minted = await cli.run(['token', '--key-file', keyFile, '--audience', AUDIENCE, '--issuer', 'someone@else.example.com']);
    expect(minted.code, minted.stderr).toBe(0);
    expect(decodeJwt(minted.stdout.trim()).payload).toMatchObject({ iss: 'someone@else.example.com', sub: 'someone@else.example.com' });
    const verified = await cli.run(['verify', '--spec', spec, '--fetch-timeout', '60000'], { stdin: minted.stdout });
    expect(verified.code).toBe(1);
    expect(verified.stderr).toMatch(/^refused: Jwt issuer is not configured\nerrorCode: UNKNOWN_ISSUER/);
  });

  it('refuses bad input with a clear error and exit code 2, never printing the key', async () => {
    const notJson = dir.write('broken.json', `${account.keyFile.private_key}`);
    const [noAudience, missing, broken, lifetime, help] = await Promise.all([
      cli.run(['token', '--key-file', keyFile]),
      cli.run(['token', '--key-file', `${dir.path}/absent.json`, '--audience', AUDIENCE]),
      cli.run(['token', '--key-file', notJson, '--audience', AUDIENCE]),
      cli.run(['token', '--key-file', keyFile, '--audience', AUDIENCE, '--lifetime', '7200']),
      cli.run(['token', '--help']),
    ]);
    expect(noAudience).toMatchObject({ code: 2, stdout: '', stderr: 'error: token: --audience is required\n' });
    expect(missing).toMatchObject({ code: 2, stdout: '', stderr: `error: service-account key file ${dir.path}/absent.json: cannot be read (ENOENT)\n` });
    expect(broken).toMatchObject({ code: 2, stdout: '' });
    expect(broken.stderr).toBe(`error: service-account key file ${notJson}: is not JSON (expected the key file the Cloud console downloads)\n`);
    expect(lifetime).toMatchObject({ code: 2, stdout: '' });
    expect(lifetime.stderr).toMatch(/^error: .*3600/);
    expectNoKey(broken.stderr, broken.stdout, missing.stderr, lifetime.stderr);
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: endpoints-auth token --key-file <json> --audience <aud>/);
  });
});

describe('endpoints-auth id-token', () => {
  let metadata: TokenServer;
  let idToken: string;

  beforeAll(async () => {
    idToken = signJwt(makeKey('RS256', 'google-1'), { iss: 'https://accounts.google.com', aud: 'x', iat: nowSeconds(), exp: nowSeconds() + 3600 });
    metadata = await new TokenServer((_request, response) => {
      response.writeHead(200, { 'metadata-flavor': 'Google', 'content-type': 'application/text' }).end(idToken);
    }).start();
  });

  afterAll(() => metadata?.stop());

  it('prints the metadata server\'s token for the audience, asked with the flavor header and the audience encoded', async () => {
    const audience = 'https://callee-abc.a.run.app/path?x=1&y=2';
    const [byOption, byEnv] = await Promise.all([
      cli.run(['id-token', '--audience', audience, '--metadata-host', metadata.host]),
      cli.run(['id-token', '--audience', 'https://env.example.com'], { env: { GCE_METADATA_HOST: metadata.host } }),
    ]);
    expect(byOption).toMatchObject({ code: 0, stderr: '' });
    expect(byOption.stdout).toBe(`${idToken}\n`);
    expect(byEnv).toMatchObject({ code: 0, stderr: '' });
    expect(byEnv.stdout).toBe(`${idToken}\n`);
    const urls = metadata.requests.map((request) => request.url).sort();
    expect(urls).toEqual([
      `/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent('https://callee-abc.a.run.app/path?x=1&y=2')}&format=full`,
      `/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent('https://env.example.com')}&format=full`,
    ].sort());
    expect(metadata.requests.every((request) => request.headers['metadata-flavor'] === 'Google')).toBe(true);
  });

  it('fails with a clear error and exit code 1 off Google Cloud, and 2 without --audience', async () => {
    const port = await closedPort();
    const [offCloud, noAudience] = await Promise.all([
      cli.run(['id-token', '--audience', AUDIENCE, '--metadata-host', `127.0.0.1:${port}`]),
      cli.run(['id-token']),
    ]);
    expect(offCloud).toMatchObject({ code: 1, stdout: '' });
    expect(offCloud.stderr).toMatch(new RegExp(`^error: no ID token from the metadata server at 127\\.0\\.0\\.1:${port}: .*Off Google Cloud there is no metadata server`));
    expect(noAudience).toMatchObject({ code: 2, stdout: '', stderr: 'error: id-token: --audience is required\n' });
  });
});
