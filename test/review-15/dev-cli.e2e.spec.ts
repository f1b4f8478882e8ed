import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEV_STATE_FILE, writeDevIssuerState } from '../../lib/cli/dev-issuer-state.js';
import { SigningKey } from '../../lib/minting/signing-key.js';
import { type BuiltCli, buildCli, CLI_BUILD_TIMEOUT_MS, CLI_TEST_TIMEOUT_MS, writeSpec } from '../cli/cli-kit.js';
import { decodeJwt } from '../client/client-kit.js';

vi.setConfig({ testTimeout: CLI_TEST_TIMEOUT_MS });

/**
 * Review of issue 15, the dev CLI as a user's shell runs it: `token --issuer dev` prints the token alone on stdout
 * (so `$(…)` works) whatever the environment and the claims, and `dev-issuer` / `token --issuer dev` meet a bad
 * --dir or a broken state file with a one-line error and exit 2, never a stack trace, never a hanging process.
 * Tokens are decoded and compared, never logged.
 */

const ISSUER = 'https://issuer.example.com';
const spec = {
  swagger: '2.0',
  info: { title: 'dev', version: '1' },
  host: 'api.example.com',
  securityDefinitions: {
    main: { type: 'oauth2', flow: 'implicit', authorizationUrl: '', 'x-google-issuer': ISSUER, 'x-google-jwks_uri': 'https://keys.example.com/jwks', 'x-google-audiences': 'aud-1,aud-2' },
  },
  // An operation naming an unknown field: the spec loads with a warning, which must stay off stdout.
  paths: { '/x': { get: { operationId: 'x', 'x-unknown-member': true, security: [{ main: [] }], responses: { 200: { description: 'ok' } } } } },
};

let cli: BuiltCli;
let root: string;
let dir: string;
let specPath: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'endpoints-auth-review15-cli-'));
  dir = join(root, 'state');
  writeDevIssuerState(dir, { key: SigningKey.generate(), jwksUri: 'http://127.0.0.1:8399/jwks.json' });
  [cli, specPath] = await Promise.all([buildCli(), writeSpec(root, 'spec.yaml', spec)]);
}, CLI_BUILD_TIMEOUT_MS);

afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const dev = (args: string[], env: NodeJS.ProcessEnv = {}) => cli.run(['token', '--issuer', 'dev', '--dir', dir, '--spec', specPath, ...args], { env });

describe('token --issuer dev', () => {
  it('prints the token alone on stdout, nothing on stderr, with ENDPOINTS_AUTH_DEV_JWKS_URI exported in the shell', async () => {
    const run = await dev([], { ENDPOINTS_AUTH_DEV_JWKS_URI: 'http://127.0.0.1:8399/jwks.json', NODE_ENV: 'development' });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toBe('');
    expect(run.stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/);
    expect(decodeJwt(run.stdout.trim()).payload).toMatchObject({ iss: ISSUER, aud: 'aud-1', sub: 'test-user' });
  });

  it('takes --claim edge cases as written: iss and exp replaced, __proto__ an own claim, a=b=c, unicode, empty values', async () => {
    const run = await dev([
      '--claim', 'iss=https://other.example.com',
      '--claim', 'exp=42',
      '--claim', '__proto__={"admin":true}',
      '--claim', 'a=b=c',
      '--claim', 'name=Zoë 名前 🙂',
      '--claim', 'empty=',
      '--claim', 'spaced= x ',
    ]);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const payload = JSON.parse(Buffer.from(run.stdout.trim().split('.')[1]!, 'base64url').toString('utf8'));
    expect(payload.iss).toBe('https://other.example.com');
    expect(payload.exp).toBe(42);
    expect(Object.prototype.hasOwnProperty.call(payload, '__proto__')).toBe(true);
    expect(payload.__proto__).toEqual({ admin: true });
    expect(payload.admin).toBeUndefined();
    expect(payload.a).toBe('b=c');
    expect(payload.name).toBe('Zoë 名前 🙂');
    expect(payload.empty).toBe('');
    expect(payload.spaced).toBe(' x ');
  });

  it('a broken state file: exit 2 and one line naming the file, never its content', async () => {
    const broken = join(root, 'broken');
    mkdirSync(broken, { mode: 0o700 });
    writeFileSync(join(broken, DEV_STATE_FILE), '{"key": {"kty": "RSA", "d": "secret-material", "kid": "k"}}');
    const run = await cli.run(['token', '--issuer', 'dev', '--dir', broken, '--spec', specPath]);
    expect(run).toEqual({
      code: 2,
      stdout: '',
      stderr: `error: ${join(broken, DEV_STATE_FILE)}: not a dev issuer state file (remove it and run endpoints-auth dev-issuer to make a new key)\n`,
    });
  });
});

describe('dev-issuer with a bad --dir', () => {
  it('exits 2 with one line, no stack trace, and does not keep running, for a file, a path below a file and a directory others can write', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, '');
    const open = join(root, 'open');
    mkdirSync(open);
    chmodSync(open, 0o777);
    const broken = join(root, 'broken-state');
    mkdirSync(broken, { mode: 0o700 });
    writeFileSync(join(broken, DEV_STATE_FILE), 'not json: secret-material');
    const runs = await Promise.all([file, join(file, 'below'), open, broken].map((where) => cli.run(['dev-issuer', '--port', '0', '--dir', where])));
    const expected = [
      // The state is read first, and says why it cannot be.
      `${join(file, DEV_STATE_FILE)}: cannot be read (ENOTDIR)`,
      `${join(file, 'below', DEV_STATE_FILE)}: cannot be read (ENOTDIR)`,
      `${open} can be written by other users, who could replace the dev issuer's key; use a directory only you can write (chmod go-w ${open}), or another --dir`,
      `${join(broken, DEV_STATE_FILE)}: not a dev issuer state file (remove it and run endpoints-auth dev-issuer to make a new key)`,
    ];
    runs.forEach((run, index) => expect(run, expected[index]).toEqual({ code: 2, stdout: '', stderr: `error: ${expected[index]}\n` }));
  });
});
