import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { decodeJwt } from '../client/client-kit.js';
import { type DevIssuers as DevIssuersType, DevIssuers, type RunningDevIssuer } from '../dev/dev-issuer-process.js';
import { KeyServer } from '../support/key-server.js';
import { nowSeconds } from '../support/keys.js';
import { type BuiltCli, buildCli, CLI_BUILD_TIMEOUT_MS, CLI_TEST_TIMEOUT_MS, writeSpec } from './cli-kit.js';

// Each test spawns the CLI: seconds apiece on a loaded machine (see cli-kit.ts).
vi.setConfig({ testTimeout: CLI_TEST_TIMEOUT_MS });

/**
 * `endpoints-auth dev-issuer` and `token --issuer dev`, spawned as a user runs them in a temporary --dir: what the
 * dev issuer prints and serves, the key file it keeps, the tokens it mints, and every usage error. Tokens are
 * decoded and compared, never logged.
 */

const FIREBASE = 'https://securetoken.google.com/my-project';
const definition = (issuer: string, extra: Record<string, unknown> = {}) => ({ type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': issuer, ...extra });

const twoDefinitions = {
  swagger: '2.0',
  info: { title: 'dev', version: '1' },
  host: 'api.example.com',
  securityDefinitions: {
    firebase: definition(FIREBASE, { 'x-google-jwks_uri': 'https://www.googleapis.com/service_accounts/v1/metadata/x509/securetoken@system.gserviceaccount.com', 'x-google-audiences': 'my-project' }),
    'custom header': definition('https://custom.example.com', { 'x-google-jwt-locations': [{ query: 'jwt' }] }),
    shared: definition('shared-issuer', { 'x-google-jwks_uri': Buffer.alloc(32, 7).toString('base64') }),
  },
  paths: {},
};

const oneDefinition = { ...twoDefinitions, securityDefinitions: { firebase: twoDefinitions.securityDefinitions.firebase, shared: twoDefinitions.securityDefinitions.shared } };

let cli: BuiltCli;
let dir: string;
let issuers: DevIssuersType;
let specTwo: string;
let specOne: string;

beforeAll(async () => {
  [cli, dir] = await Promise.all([buildCli(), mkdtemp(join(tmpdir(), 'endpoints-auth-dev-cli-'))]);
  issuers = new DevIssuers(cli);
  specTwo = await writeSpec(dir, 'two.yaml', twoDefinitions);
  specOne = await writeSpec(dir, 'one.yaml', oneDefinition);
}, CLI_BUILD_TIMEOUT_MS);

afterAll(async () => {
  issuers?.killAll();
  await Promise.all([cli?.remove(), dir && rm(dir, { recursive: true, force: true })]);
});

describe('endpoints-auth dev-issuer', () => {
  let running: RunningDevIssuer;
  const state = () => join(dir, 'state');

  beforeAll(async () => {
    running = await issuers.start(['--spec', specTwo, '--port', '0', '--dir', state()]);
  });

  it('prints the URL, the variable to start the app with, and a token line per definition whose keys are fetched', () => {
    const port = /127\.0\.0\.1:(\d+)/.exec(running.url)![1];
    expect(Number(port)).toBeGreaterThan(0);
    const out = running.stdout();
    expect(out).toMatch(new RegExp(`^endpoints-auth dev-issuer: serving key [0-9a-f-]{36} \\(kept in ${state().replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/dev-issuer\\.json\\) at\\n  http://127\\.0\\.0\\.1:${port}/jwks\\.json\\n`));
    expect(out).toContain(`Start the app with every definition whose keys are fetched ("firebase", "custom header") taking them from here:\n  export ENDPOINTS_AUTH_DEV_JWKS_URI=${running.url}\n`);
    expect(out).toContain(`  npx endpoints-auth token --issuer dev --definition firebase --dir ${state()}\n    sent as authorization: Bearer <token>\n`);
    expect(out).toContain(`  npx endpoints-auth token --issuer dev --definition 'custom header' --dir ${state()}\n    sent as ?jwt=<token>\n`);
    expect(out).not.toContain('shared');
  });

  it('keeps the key in a file only its owner reads, in a directory git ignores', async () => {
    const file = join(state(), 'dev-issuer.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect((await stat(state())).mode & 0o777).toBe(0o700);
    expect(await readFile(join(state(), '.gitignore'), 'utf8')).toMatch(/^# .*\n\*\n$/);
    const saved = JSON.parse(await readFile(file, 'utf8'));
    expect(saved).toMatchObject({ jwksUri: running.url, spec: specTwo, key: { kty: 'RSA', alg: 'RS256' } });
    expect(typeof saved.key.d).toBe('string');
  });

  it('serves the public key only, at /jwks.json only', async () => {
    const jwks = await fetch(running.url);
    expect(jwks.status).toBe(200);
    expect(jwks.headers.get('cache-control')).toBe('no-store');
    const body = (await jwks.json()) as { keys: Record<string, unknown>[] };
    const saved = JSON.parse(await readFile(join(state(), 'dev-issuer.json'), 'utf8'));
    expect(body.keys).toEqual([{ kty: 'RSA', n: saved.key.n, e: saved.key.e, kid: saved.key.kid, alg: 'RS256', use: 'sig' }]);
    const base = running.url.slice(0, -'/jwks.json'.length);
    const [other, root, post] = await Promise.all([fetch(`${base}/keys`), fetch(`${base}/`), fetch(running.url, { method: 'POST' })]);
    expect([other.status, root.status, post.status]).toEqual([404, 404, 404]);
  });

  it('mints tokens for a definition: its issuer and first audience, the claims, subject, audience and lifetime given', async () => {
    const [plain, custom] = await Promise.all([
      cli.run(['token', '--issuer', 'dev', '--dir', state(), '--definition', 'firebase']),
      cli.run(['token', '--issuer', 'dev', '--dir', state(), '--definition', 'custom header', '--claim', 'email=a@b.c', '--claim', 'admin=true', '--claim', 'roles=["a"]', '--claim', 'meta={"k":1}', '--subject', 'user-7', '--audience', 'other-aud', '--lifetime', '600']),
    ]);
    expect(plain).toMatchObject({ code: 0, stderr: '' });
    const saved = JSON.parse(await readFile(join(state(), 'dev-issuer.json'), 'utf8'));
    const first = decodeJwt(plain.stdout.trim());
    expect(plain.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(first.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: saved.key.kid });
    expect(first.payload).toEqual({ iss: FIREBASE, sub: 'test-user', aud: 'my-project', iat: first.payload.iat, exp: first.payload.iat + 3600, auth_time: first.payload.iat });
    expect(Math.abs(first.payload.iat - nowSeconds())).toBeLessThan(30);
    expect(custom).toMatchObject({ code: 0, stderr: '' });
    const second = decodeJwt(custom.stdout.trim()).payload;
    expect(second).toEqual({ iss: 'https://custom.example.com', sub: 'user-7', aud: 'other-aud', iat: second.iat, exp: second.iat + 600, email: 'a@b.c', admin: true, roles: ['a'], meta: { k: 1 } });
  });

  it('mints an expired token: exp an hour past the 60 s clock skew', async () => {
    const expired = await cli.run(['token', '--issuer', 'dev', '--dir', state(), '--definition', 'firebase', '--expired']);
    expect(expired).toMatchObject({ code: 0, stderr: '' });
    const { payload } = decodeJwt(expired.stdout.trim());
    expect(Math.abs(payload.exp - (nowSeconds() - 60 - 3600))).toBeLessThan(30);
    expect(payload.exp - payload.iat).toBe(3600);
  });

  it('a token verify accepts with ENDPOINTS_AUTH_DEV_JWKS_URI set, and refuses without it', async () => {
    const minted = await cli.run(['token', '--issuer', 'dev', '--dir', state(), '--definition', 'firebase', '--claim', 'email=a@b.c']);
    const env = { ENDPOINTS_AUTH_DEV_JWKS_URI: running.url };
    const verified = await cli.run(['verify', '--spec', specTwo, '--json'], { stdin: minted.stdout, env });
    expect(verified.code, verified.stderr).toBe(0);
    expect(JSON.parse(verified.stdout)).toMatchObject({ accepted: true, definition: 'firebase', claims: { email: 'a@b.c' } });
    // Without the variable the spec's Google URL would be fetched: point it at a closed key server instead.
    const closed = await writeSpec(dir, 'closed.yaml', {
      ...twoDefinitions,
      securityDefinitions: { firebase: { ...twoDefinitions.securityDefinitions.firebase, 'x-google-jwks_uri': 'http://127.0.0.1:9/jwks.json' } },
    });
    const refused = await cli.run(['verify', '--spec', closed, '--json', '--fetch-timeout', '2000'], { stdin: minted.stdout });
    expect(refused.code).toBe(1);
    expect(JSON.parse(refused.stdout)).toMatchObject({ accepted: false, errorCode: 'KEYS_UNAVAILABLE' });
  });

  it('exits 0 on SIGTERM, and a restart keeps the key', async () => {
    const before = await readFile(join(state(), 'dev-issuer.json'), 'utf8');
    const stopped = await running.stop('SIGTERM');
    expect(stopped).toMatchObject({ code: 0, stderr: 'endpoints-auth dev-issuer: stopped\n' });
    running = await issuers.start(['--spec', specTwo, '--port', '0', '--dir', state()]);
    const after = JSON.parse(await readFile(join(state(), 'dev-issuer.json'), 'utf8'));
    expect(after.key).toEqual(JSON.parse(before).key);
    expect(after.jwksUri).toBe(running.url);
    const interrupted = await running.stop('SIGINT');
    expect(interrupted.code).toBe(0);
  });
});

describe('endpoints-auth dev-issuer errors', () => {
  it('exits 1 with a clear error when the port is in use, leaving no key behind', async () => {
    const busy = await new KeyServer().start();
    try {
      const port = new URL(busy.url).port;
      const fresh = join(dir, 'busy');
      const failed = await issuers.start(['--port', port, '--dir', fresh]).then(
        () => undefined,
        (error: { run?: { code: number | null; stdout: string; stderr: string } }) => error.run,
      );
      expect(failed).toEqual({
        code: 1,
        stdout: '',
        stderr: `error: port ${port} on 127.0.0.1 is in use (another dev-issuer, or another server); pick another with --port, or --port 0 for a free one\n`,
      });
      await expect(stat(join(fresh, 'dev-issuer.json'))).rejects.toThrow(/ENOENT/);
    } finally {
      await busy.stop();
    }
  });

  it('refuses bad arguments and a spec that does not load', async () => {
    const [port, help, spec] = await Promise.all([
      cli.run(['dev-issuer', '--port', '70000']),
      cli.run(['dev-issuer', '--help']),
      cli.run(['dev-issuer', '--spec', join(dir, 'missing.yaml'), '--dir', join(dir, 'never')]),
    ]);
    expect(port).toMatchObject({ code: 2, stdout: '', stderr: 'error: --port must be a whole number from 0 to 65535\n' });
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: endpoints-auth dev-issuer \[--spec <file>\] \[--port <port>\] \[--dir <dir>\]\n/);
    expect(spec.code).toBe(1);
    expect(spec.stderr).toMatch(/^error: nestjs-endpoints-auth: .*missing\.yaml/);
  });

  it('is listed in the top-level help', async () => {
    const top = await cli.run(['--help']);
    expect(top.stdout).toContain("  dev-issuer  serve a local development issuer's keys on 127.0.0.1\n");
  });
});

describe('endpoints-auth token --issuer dev errors', () => {
  let state: string;

  beforeAll(async () => {
    state = join(dir, 'errors');
    const running = await issuers.start(['--spec', specTwo, '--port', '0', '--dir', state]);
    await running.stop();
  });

  const dev = (...args: string[]) => cli.run(['token', '--issuer', 'dev', ...args]);

  it('exits 2 with a clear message for each mistake, never printing a token or a value', async () => {
    const results = await Promise.all([
      dev('--dir', join(dir, 'nowhere')),
      dev('--dir', state, '--definition', 'nope'),
      dev('--dir', state, '--definition', 'shared'),
      dev('--dir', state),
      dev('--dir', state, '--definition', 'firebase', '--claim', 'secret-value'),
      dev('--dir', state, '--definition', 'firebase', '--expired', '--lifetime', '60'),
      dev('--key-file', join(dir, 'key.json'), '--audience', 'x'),
      cli.run(['token', '--key-file', join(dir, 'key.json'), '--audience', 'x', '--claim', 'a=1']),
    ]);
    const expected = [
      `no dev issuer key in ${join(dir, 'nowhere')}: run endpoints-auth dev-issuer --dir ${join(dir, 'nowhere')} first`,
      `--definition "nope" is not a JWT definition of ${specTwo}; the dev issuer signs for "firebase", "custom header"`,
      '--definition "shared" has its key written in the spec, which the dev issuer does not replace; it signs for "firebase", "custom header"',
      `${specTwo} has 2 definitions whose keys are fetched; name one with --definition: "firebase", "custom header"`,
      '--claim takes name=value (e.g. --claim email=a@b.c); an entry has no "="',
      "--expired and --lifetime do not go together: an expired token's exp is fixed (an hour past the clock skew)",
      "--issuer dev signs with the dev issuer's key: drop --key-file (to set iss with a key file, give --issuer another value)",
      '--claim goes with --issuer dev',
    ];
    results.forEach((result, index) => expect(result, expected[index]).toEqual({ code: 2, stdout: '', stderr: `error: ${expected[index]}\n` }));
  });

  it('takes the only definition whose keys are fetched, and another spec with --spec', async () => {
    const minted = await dev('--dir', state, '--spec', specOne);
    expect(minted).toMatchObject({ code: 0, stderr: '' });
    expect(decodeJwt(minted.stdout.trim()).payload.iss).toBe(FIREBASE);
    const noSpec = join(dir, 'no-spec');
    await (await issuers.start(['--port', '0', '--dir', noSpec])).stop();
    expect(await dev('--dir', noSpec)).toEqual({ code: 2, stdout: '', stderr: 'error: no spec: give --spec <file>, or start endpoints-auth dev-issuer with --spec\n' });
  });

  it('refuses with the module\'s message under NODE_ENV=production', async () => {
    const refused = await dev('--dir', state, '--definition', 'firebase', '--spec', await writeSpec(dir, 'http.yaml', { ...oneDefinition, securityDefinitions: { firebase: definition(FIREBASE, { 'x-google-jwks_uri': 'http://keys.example.com/jwks' }) } }));
    expect(refused.code).toBe(0);
    const production = await cli.run(['token', '--issuer', 'dev', '--dir', state, '--spec', join(dir, 'http.yaml')], { env: { NODE_ENV: 'production' } });
    expect(production).toMatchObject({ code: 1, stdout: '' });
    expect(production.stderr).toMatch(/^error: nestjs-endpoints-auth: .*http\.yaml: NODE_ENV is "production" and the keys of "firebase" \(http:\/\/keys\.example\.com\/jwks: plain http\)/);
  });
});

describe('endpoints-auth check and the production rule', () => {
  it('warns about key URLs production refuses, lists ENDPOINTS_AUTH_DEV_JWKS_URI, and fails as the module does under NODE_ENV=production', async () => {
    const spec = await writeSpec(dir, 'local.yaml', { ...oneDefinition, securityDefinitions: { ...oneDefinition.securityDefinitions, local: definition('https://local.example.com', { 'x-google-jwks_uri': 'http://127.0.0.1:8399/jwks.json' }) } });
    const [dev, withVariable, production] = await Promise.all([
      cli.run(['check', spec], { env: { NODE_ENV: 'development' } }),
      cli.run(['check', spec], { env: { NODE_ENV: 'development', ENDPOINTS_AUTH_DEV_JWKS_URI: 'http://127.0.0.1:8399/jwks.json' } }),
      cli.run(['check', spec], { env: { NODE_ENV: 'production' } }),
    ]);
    expect(dev.code, dev.stderr).toBe(0);
    expect(dev.stdout).toContain('warnings (1):\n  "local": keys at http://127.0.0.1:8399/jwks.json (plain http): with NODE_ENV=production the module refuses to start unless allowInsecureKeyUrls is true\nok: the spec loads\n');
    expect(withVariable.stdout).toContain('warnings (2):\n  ENDPOINTS_AUTH_DEV_JWKS_URI is set: the keys of "firebase", "local" come from the development key server at http://127.0.0.1:8399/jwks.json, not from the spec; never set it where the app is deployed\n');
    expect(production).toMatchObject({ code: 1, stdout: '' });
    expect(production.stderr).toContain('the keys of "local" (http://127.0.0.1:8399/jwks.json: plain http) would be fetched from a development key server');
  });
});
