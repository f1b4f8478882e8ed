import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { KeyServer } from '../support/key-server.js';
import { type TestKey, claims, makeKey, nowSeconds, signJwt } from '../support/keys.js';
import { type BuiltCli, type CliRun, buildCli, CLI_BUILD_TIMEOUT_MS, CLI_TEST_TIMEOUT_MS, writeSpec } from './cli-kit.js';

// Each test spawns the CLI: seconds apiece on a loaded machine (see cli-kit.ts).
vi.setConfig({ testTimeout: CLI_TEST_TIMEOUT_MS });

/**
 * `endpoints-auth verify`, spawned with a token on stdin, against a spec whose keys a real key server on 127.0.0.1
 * serves; tokens are signed with real keys. No output of the CLI is logged: it may hold claims.
 */

const ISSUER = 'https://issuer.example.com';
const OTHER = 'https://other.example.com';
const AUDIENCE = 'my-api';

let cli: BuiltCli;
let dir: string;
let server: KeyServer;
let key: TestKey;
let spec: string;

beforeAll(async () => {
  key = makeKey('RS256', 'key-1');
  [cli, dir, server] = await Promise.all([buildCli(), mkdtemp(join(tmpdir(), 'endpoints-auth-verify-')), new KeyServer().start()]);
  server.jwks('/jwks', [key.jwk]);
  const definition = (issuer: string, jwksUri: string) => ({
    type: 'oauth2', flow: 'implicit', authorizationUrl: '',
    'x-google-issuer': issuer, 'x-google-jwks_uri': jwksUri, 'x-google-audiences': AUDIENCE,
  });
  spec = await writeSpec(dir, 'openapi.yaml', {
    swagger: '2.0',
    info: { title: 'verify', version: '1' },
    host: 'api.example.com',
    // `other`'s key server answers 404: its tokens meet "Jwks remote fetch is failed".
    securityDefinitions: {
      local: definition(ISSUER, `${server.url}/jwks`),
      other: definition(OTHER, `${server.url}/missing`),
      api_key: { type: 'apiKey', name: 'key', in: 'query' },
    },
    // verify checks tokens only: a security that also asks for an API key does not stop the spec from loading.
    paths: { '/books': { get: { security: [{ local: [], api_key: [] }] } } },
  });
}, CLI_BUILD_TIMEOUT_MS);

afterAll(async () => {
  await Promise.all([cli?.remove(), server?.stop(), dir && rm(dir, { recursive: true, force: true })]);
});

/**
 * The key server runs in this (possibly very busy) test process: a generous fetch timeout keeps a slow answer from
 * reading as "no complete answer within 5000 ms". No test here is about the default timeout.
 */
const SLOW_KEY_SERVER = ['--fetch-timeout', '60000'];

/** Runs verify with `token` on stdin and checks that nothing of the token came back out. */
async function verify(token: string, ...args: string[]): Promise<CliRun> {
  const result = await cli.run(['verify', '--spec', spec, ...SLOW_KEY_SERVER, ...args], { stdin: `${token}\n` });
  const signature = token.split('.')[2] ?? token;
  expect(result.stdout.includes(signature) || result.stderr.includes(signature), 'the CLI printed the token').toBe(false);
  return result;
}

/** The reason line of a refusal. */
const refusal = (result: CliRun) => ({ code: result.code, lines: result.stderr.trimEnd().split('\n'), stdout: result.stdout });

describe.concurrent('endpoints-auth verify', () => {
  it('accepts a good token: the definition, then its claims as JSON on stdout', async () => {
    const payload = claims(ISSUER, AUDIENCE, { email: 'user@example.com' });
    const result = await verify(signJwt(key, payload));
    expect(result.code, result.stderr).toBe(0);
    const [first, ...rest] = result.stdout.split('\n');
    expect(first).toMatch(/^accepted by "local" \(issuer https:\/\/issuer\.example\.com\); expires in (59 minutes|1 hour)$/);
    expect(JSON.parse(rest.join('\n'))).toEqual(payload);
    expect(result.stderr).toBe('');
  });

  it('takes a copied Authorization value (Bearer prefix) and --definition', async () => {
    const result = await cli.run(['verify', '--spec', spec, '--definition', 'local', ...SLOW_KEY_SERVER], { stdin: `Bearer ${signJwt(key, claims(ISSUER, AUDIENCE))}` });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^accepted by "local"/);
  });

  it('refuses an expired token: ESP message, errorCode, and how long ago', async () => {
    const now = nowSeconds();
    const result = refusal(await verify(signJwt(key, claims(ISSUER, AUDIENCE, { iat: now - 4200, exp: now - 600 }))));
    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.lines[0]).toBe('refused: Jwt is expired');
    expect(result.lines[1]).toBe('errorCode: TOKEN_EXPIRED (HTTP 401)');
    expect(result.lines[2]).toMatch(/^reason: the token expired 10 minutes ago \(exp \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ; 60 s of clock skew allowed\)$/);
  });

  it('applies --clock-skew as the clockSkewSeconds option', async () => {
    const now = nowSeconds();
    const token = signJwt(key, claims(ISSUER, AUDIENCE, { iat: now - 600, exp: now - 30 }));
    const [lenient, strict] = await Promise.all([verify(token), verify(token, '--clock-skew', '0')]);
    expect(lenient.code, lenient.stderr).toBe(0);
    expect(lenient.stdout).toMatch(/^accepted by "local" .*; expired \d+ seconds ago, within the clock skew\n/);
    expect(refusal(strict).lines.slice(0, 2)).toEqual(['refused: Jwt is expired', 'errorCode: TOKEN_EXPIRED (HTTP 401)']);
    expect(refusal(strict).lines[2]).toContain('0 s of clock skew allowed');
  });

  it('refuses a wrong audience with 403, and accepts it with --audience', async () => {
    const token = signJwt(key, claims(ISSUER, 'https://someone-else.example.com/'));
    const [refused, accepted] = await Promise.all([verify(token), verify(token, '--audience', 'someone-else.example.com')]);
    expect(refusal(refused)).toEqual({
      code: 1,
      stdout: '',
      lines: [
        'refused: Audiences in Jwt are not allowed',
        'errorCode: AUDIENCE_NOT_ALLOWED (HTTP 403)',
        'reason: the token\'s audience "https://someone-else.example.com/" is not allowed; allowed: "my-api" (compared without http(s):// and one trailing /)',
      ],
    });
    expect(accepted.code, accepted.stderr).toBe(0);
  });

  it('names the key URL and the kid when no key has it', async () => {
    const stranger = makeKey('RS256', 'rotated-away');
    const result = refusal(await verify(signJwt(stranger, claims(ISSUER, AUDIENCE))));
    expect(result.code).toBe(1);
    expect(result.lines).toEqual([
      "refused: Jwks doesn't have key to match kid or alg from Jwt",
      'errorCode: KEY_NOT_FOUND (HTTP 401)',
      `reason: no key in ${server.url}/jwks has kid "rotated-away" (kids there: "key-1")`,
    ]);
  });

  it('says the signature does not verify when another key signed under a known kid', async () => {
    const forger = makeKey('RS256', 'key-1');
    const result = refusal(await verify(signJwt(forger, claims(ISSUER, AUDIENCE))));
    expect(result.lines).toEqual([
      'refused: Jwt verification fails',
      'errorCode: INVALID_TOKEN (HTTP 401)',
      'reason: the RS256 signature does not verify with the key of "local" that could ("key-1"): the token was altered or signed with another key',
    ]);
  });

  it('names the issuers when the token comes from none of them, also under --definition', async () => {
    const [none, other] = await Promise.all([
      verify(signJwt(key, claims('https://stranger.example.com', AUDIENCE))),
      verify(signJwt(key, claims(ISSUER, AUDIENCE)), '--definition', 'other'),
    ]);
    expect(refusal(none).lines).toEqual([
      'refused: Jwt issuer is not configured',
      'errorCode: UNKNOWN_ISSUER (HTTP 401)',
      'reason: the token\'s issuer "https://stranger.example.com" is not the issuer of any definition checked: "local" (https://issuer.example.com), "other" (https://other.example.com)',
    ]);
    expect(refusal(other).lines[2]).toBe(
      'reason: the token\'s issuer "https://issuer.example.com" is not the issuer of the definition checked: "other" (https://other.example.com)',
    );
  });

  it('gives the key server\'s answer when the keys cannot be fetched', async () => {
    const result = refusal(await verify(signJwt(key, claims(OTHER, AUDIENCE))));
    expect(result.lines).toEqual([
      'refused: Jwks remote fetch is failed',
      'errorCode: KEYS_UNAVAILABLE (HTTP 401)',
      `reason: the keys of "other" at ${server.url}/missing could not be fetched: HTTP 404`,
    ]);
  });

  it('refuses what is not a token with the strict reader\'s message', async () => {
    const result = refusal(await verify('not-a-jwt'));
    expect(result.lines).toEqual([
      'refused: Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections',
      'errorCode: INVALID_TOKEN (HTTP 401)',
      'reason: the token cannot be read: Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections',
    ]);
  });

  it('refuses bad input with a clear error and exit code 2', async () => {
    const token = signJwt(key, claims(ISSUER, AUDIENCE));
    const [empty, noSpec, skew, definition, help] = await Promise.all([
      cli.run(['verify', '--spec', spec], { stdin: ' \n' }),
      cli.run(['verify'], { stdin: token }),
      cli.run(['verify', '--spec', spec, '--clock-skew', 'lots'], { stdin: token }),
      cli.run(['verify', '--spec', spec, '--definition', 'nope'], { stdin: token }),
      cli.run(['verify', '--help']),
    ]);
    expect(empty).toMatchObject({ code: 2, stdout: '' });
    expect(empty.stderr).toBe('error: no token on stdin: pipe one in, e.g. endpoints-auth verify --spec openapi.yaml < token.txt\n');
    expect(noSpec).toMatchObject({ code: 2, stdout: '', stderr: 'error: verify: a spec file (the argument or --spec) is required\n' });
    expect(skew).toMatchObject({ code: 2, stdout: '', stderr: 'error: --clock-skew must be a whole number from 0 to 3600\n' });
    expect(definition).toMatchObject({ code: 2, stdout: '' });
    expect(definition.stderr).toBe('error: --definition "nope" is not a JWT definition of the spec; its definitions: "local", "other"\n');
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: endpoints-auth verify <file> \| --spec <file> \[options\] < token\.txt\n/);
  });

  it('takes the spec as its argument, and never echoes a token given on the command line', async () => {
    const token = signJwt(key, claims(ISSUER, AUDIENCE));
    const positional = await cli.run(['verify', spec], { stdin: token });
    expect(positional.code, positional.stderr).toBe(0);
    const misplaced = await Promise.all([
      cli.run(['verify', spec, token], { stdin: token }),
      cli.run(['verify', token], { stdin: token }),
      cli.run(['verify', '--spec', spec, '--clock-skew', token], { stdin: token }),
      cli.run(['verify', '--spec', spec, `--token=${token}`], { stdin: token }),
    ]);
    for (const run of misplaced) {
      expect(run.code).toBe(2);
      expect(run.stdout + run.stderr).not.toContain(token.split('.')[1].slice(0, 16));
    }
  });

  it('stops at a spec that does not load, with the module\'s message', async () => {
    const result = await cli.run(['verify', '--spec', join(dir, 'missing.yaml')], { stdin: 'x.y.z' });
    expect(result).toMatchObject({ code: 1, stdout: '' });
    expect(result.stderr).toMatch(/^error: nestjs-endpoints-auth: .*missing\.yaml: file not found/);
  });
});

/**
 * Runs verify --json and returns its one document, after checking that stdout is exactly one line of JSON, that stderr
 * is empty and that no part of the token came back out (only booleans reach an assertion's message, never the token).
 */
async function verifyJson(token: string, ...args: string[]): Promise<{ code: number | null; document: Record<string, unknown> }> {
  const result = await cli.run(['verify', '--spec', spec, '--json', ...SLOW_KEY_SERVER, ...args], { stdin: `${token}\n` });
  const output = result.stdout + result.stderr;
  const pieces = [token, ...token.split('.').filter((segment) => segment.length >= 8)];
  expect(pieces.some((piece) => output.includes(piece)), 'the CLI printed the token or one of its segments').toBe(false);
  expect(result.stderr, 'stderr').toBe('');
  expect(result.stdout.endsWith('\n') && !result.stdout.slice(0, -1).includes('\n'), 'one line and a newline').toBe(true);
  return { code: result.code, document: JSON.parse(result.stdout) as Record<string, unknown> };
}

describe.concurrent('endpoints-auth verify --json', () => {
  it('accepts a good token: the definition, its issuer and the claims, nothing else', async () => {
    const payload = claims(ISSUER, AUDIENCE, { email: 'user@example.com' });
    const { code, document } = await verifyJson(signJwt(key, payload));
    expect(code).toBe(0);
    expect(document).toEqual({ accepted: true, definition: 'local', issuer: ISSUER, claims: payload });
    expect(Object.keys(document)).toEqual(['accepted', 'definition', 'issuer', 'claims']);
  });

  it('refuses an expired token: status, errorCode, ESP\'s message and the reason, with exit code 1', async () => {
    const now = nowSeconds();
    const { code, document } = await verifyJson(signJwt(key, claims(ISSUER, AUDIENCE, { iat: now - 4200, exp: now - 600 })));
    expect(code).toBe(1);
    expect(Object.keys(document)).toEqual(['accepted', 'status', 'errorCode', 'message', 'reason']);
    expect(document).toMatchObject({ accepted: false, status: 401, errorCode: 'TOKEN_EXPIRED', message: 'Jwt is expired' });
    expect(document.reason).toMatch(/^the token expired 10 minutes ago \(exp \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ; 60 s of clock skew allowed\)$/);
  });

  it('refuses a wrong audience with status 403', async () => {
    const { code, document } = await verifyJson(signJwt(key, claims(ISSUER, 'https://someone-else.example.com/')));
    expect(code).toBe(1);
    expect(document).toEqual({
      accepted: false,
      status: 403,
      errorCode: 'AUDIENCE_NOT_ALLOWED',
      message: 'Audiences in Jwt are not allowed',
      reason: 'the token\'s audience "https://someone-else.example.com/" is not allowed; allowed: "my-api" (compared without http(s):// and one trailing /)',
    });
  });

  it('refuses a bad signature', async () => {
    const { code, document } = await verifyJson(signJwt(makeKey('RS256', 'key-1'), claims(ISSUER, AUDIENCE)));
    expect(code).toBe(1);
    expect(document).toEqual({
      accepted: false,
      status: 401,
      errorCode: 'INVALID_TOKEN',
      message: 'Jwt verification fails',
      reason: 'the RS256 signature does not verify with the key of "local" that could ("key-1"): the token was altered or signed with another key',
    });
  });

  it('refuses a malformed token with the strict reader\'s message', async () => {
    const good = signJwt(key, claims(ISSUER, AUDIENCE));
    // The second has a header and a signature but a payload that is not base64url.
    const [dots, json] = await Promise.all([verifyJson('not-a-jwt'), verifyJson(`${good.split('.')[0]}.e30K!.${good.split('.')[2]}`)]);
    const message = 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections';
    expect(dots).toEqual({ code: 1, document: { accepted: false, status: 401, errorCode: 'INVALID_TOKEN', message, reason: `the token cannot be read: ${message}` } });
    const base64 = 'Jwt payload is an invalid Base64url encoded';
    expect(json).toEqual({ code: 1, document: { accepted: false, status: 401, errorCode: 'INVALID_TOKEN', message: base64, reason: `the token cannot be read: ${base64}` } });
  });

  it('takes --definition: accepted by the one named, refused by another', async () => {
    const token = signJwt(key, claims(ISSUER, AUDIENCE));
    const [local, other] = await Promise.all([verifyJson(token, '--definition', 'local'), verifyJson(token, '--definition', 'other')]);
    expect(local.code).toBe(0);
    expect(local.document).toMatchObject({ accepted: true, definition: 'local', issuer: ISSUER });
    expect(other).toEqual({
      code: 1,
      document: {
        accepted: false,
        status: 401,
        errorCode: 'UNKNOWN_ISSUER',
        message: 'Jwt issuer is not configured',
        reason: 'the token\'s issuer "https://issuer.example.com" is not the issuer of the definition checked: "other" (https://other.example.com)',
      },
    });
  });

  it('carries the same facts as the text form', async () => {
    const token = signJwt(makeKey('RS256', 'rotated-away'), claims(ISSUER, AUDIENCE));
    const [text, { document }] = await Promise.all([verify(token), verifyJson(token)]);
    expect(refusal(text).lines).toEqual([
      `refused: ${String(document.message)}`,
      `errorCode: ${String(document.errorCode)} (HTTP ${String(document.status)})`,
      `reason: ${String(document.reason)}`,
    ]);
  });

  it('leaves bad arguments and a spec that does not load as text on stderr, with nothing on stdout', async () => {
    const token = signJwt(key, claims(ISSUER, AUDIENCE));
    const [empty, skew, definition, missing, flag, help] = await Promise.all([
      cli.run(['verify', '--spec', spec, '--json'], { stdin: ' \n' }),
      cli.run(['verify', '--spec', spec, '--json', '--clock-skew', 'lots'], { stdin: token }),
      cli.run(['verify', '--spec', spec, '--json', '--definition', 'nope'], { stdin: token }),
      cli.run(['verify', '--spec', join(dir, 'missing.yaml'), '--json'], { stdin: token }),
      cli.run(['verify', '--spec', spec, '--json=yes'], { stdin: token }),
      cli.run(['verify', '--help']),
    ]);
    expect(empty).toMatchObject({ code: 2, stdout: '' });
    expect(empty.stderr).toMatch(/^error: no token on stdin/);
    expect(skew).toMatchObject({ code: 2, stdout: '', stderr: 'error: --clock-skew must be a whole number from 0 to 3600\n' });
    expect(definition).toMatchObject({ code: 2, stdout: '' });
    expect(definition.stderr).toMatch(/^error: --definition "nope" is not a JWT definition/);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toMatch(/^error: nestjs-endpoints-auth: .*missing\.yaml: file not found/);
    expect(flag).toMatchObject({ code: 2, stdout: '', stderr: 'error: option --json takes no value\nRun "endpoints-auth verify --help" for the options.\n' });
    expect(help.stdout).toContain('  --json ');
  });
});
