import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startBookstore } from '../../sample/bootstrap.js';
import { bearer, call } from '../support/app.js';

const root = fileURLToPath(new URL('../..', import.meta.url));

describe.each([
  ['express', () => new ExpressAdapter()],
  ['fastify', () => new FastifyAdapter()],
] as const)('the Bookstore sample on %s', (_name, adapter) => {
  let app: INestApplication;
  let url: string;
  let token: string;
  let expiredToken: string;
  let otherAudienceToken: string;

  beforeAll(async () => {
    ({ app, url, token, expiredToken, otherAudienceToken } = await startBookstore(0, adapter(), { logger: false }));
  });
  afterAll(() => app?.close());

  it('serves a secured shelf to the embedded issuer’s token and refuses a call without one', async () => {
    expect((await call(`${url}/shelves/1`, { headers: bearer(token) })).status).toBe(200);
    const missing = await call(`${url}/shelves/1`);
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ message: 'Jwt is missing', errorCode: 'MISSING_TOKEN' });
  });

  it('mints an expired token (401 TOKEN_EXPIRED) and one for another service (403 AUDIENCE_NOT_ALLOWED)', async () => {
    const expired = await call(`${url}/shelves/1`, { headers: bearer(expiredToken) });
    expect({ status: expired.status, body: expired.body }).toMatchObject({ status: 401, body: { errorCode: 'TOKEN_EXPIRED' } });
    const elsewhere = await call(`${url}/shelves/1`, { headers: bearer(otherAudienceToken) });
    expect({ status: elsewhere.status, body: elsewhere.body }).toMatchObject({ status: 403, body: { errorCode: 'AUDIENCE_NOT_ALLOWED' } });
  });

  it('applies the spec: `security: []` opens listShelves, an operation `security` narrows deleteShelf', async () => {
    expect((await call(`${url}/shelves`)).status).toBe(200);
    expect((await call(`${url}/shelves/2`, { method: 'DELETE' })).status).toBe(401);
    const created = await call(`${url}/shelves`, { method: 'POST', headers: bearer(token), body: { theme: 'Poetry' } });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ theme: 'Poetry', createdBy: 'local-user' });
    expect((await call(`${url}/shelves/${created.body.id}`, { method: 'DELETE', headers: bearer(token) })).status).toBe(204);
  });

  it('keeps @Public() routes open and hands the claims to /auth/info', async () => {
    expect((await call(`${url}/healthz`)).status).toBe(200);
    const info = await call(`${url}/auth/info`, { headers: bearer(token) });
    expect(info.body).toMatchObject({ iss: 'https://local-issuer.invalid', sub: 'local-user' });
  });
});

describe('npm start', () => {
  let child: ChildProcess;
  let output = '';

  beforeAll(async () => {
    // A process group of its own, so afterAll stops npm, its shell and the node process under it, not npm alone.
    child = spawn('npm', ['start'], {
      cwd: root,
      env: { ...process.env, PORT: '0', GRPC_PORT: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('npm start printed no gRPC client lines within 90 s')), 90_000);
      const poll = setInterval(() => {
        if (/UNAUTHENTICATED[^\n]*\n\s+node [^\n]+\n/.test(output)) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      }, 100);
      child.on('exit', (code) => reject(new Error(`npm start exited with ${code}`)));
    });
  }, 120_000);
  afterAll(async () => {
    if (child?.pid === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    process.kill(-child.pid, 'SIGINT');
    await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
  });

  // The printed lines are run as a user would run them; neither they nor the tokens in them reach the test output.
  const printed = (command: string) =>
    output
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line.startsWith(`${command} `));

  it('prints curl lines with the token, without it, expired, for another service: each answered as its line says', async () => {
    // Each curl line follows the line that says what it gets: `… (401 TOKEN_EXPIRED "Jwt is expired"):`.
    const lines = plain(output).split('\n').map((line) => line.trim());
    const tries = lines.flatMap((line, index) => {
      const parts = /^curl (?:-H "([^:]+): ([^"]+)" )?(\S+)$/.exec(line);
      const said = /\((\d{3})(?: ([A-Z_]+))?[^)]*\):$/.exec(lines[index - 1] ?? '');
      if (!parts) return [];
      const headers = parts[1] ? { [parts[1]]: parts[2]! } : undefined;
      return [{ headers, url: parts[3]!, status: Number(said?.[1]), errorCode: said?.[2] }];
    });
    expect(tries.map(({ status, errorCode }) => [status, errorCode])).toEqual([
      [200, undefined],
      [401, 'MISSING_TOKEN'],
      [401, 'TOKEN_EXPIRED'],
      [403, 'AUDIENCE_NOT_ALLOWED'],
    ]);
    for (const { headers, url, status, errorCode } of tries) {
      const answer = await call(url, { headers });
      expect({ status: answer.status, errorCode: answer.body?.errorCode }).toEqual({ status, errorCode });
    }
  });

  it('says which definitions hold placeholders, and logs their failed key fetches as expected, never as bare warnings', async () => {
    // Only lines without a token are compared, so a failure shows no token.
    const lines = () => plain(output).split('\n').filter((line) => !line.includes('Bearer ') && !line.includes('--token '));
    expect(lines().filter((line) => line.includes('still hold placeholders'))).toEqual([
      'firebase, auth0_jwk, google_id_token, service_account (sample/openapi.yaml) and google_service_account ' +
        '(sample/grpc/api_config_auth.yaml) still hold placeholders (YOUR-…):',
    ]);
    // Offline (as here) every placeholder definition's fetch fails right after start-up; online some may succeed, so
    // the wait is bounded and the checks below hold either way.
    const fetchLines = () => lines().filter((line) => line.includes('[EndpointsAuthKeys]'));
    const definitions = ['firebase', 'auth0_jwk', 'google_id_token', 'service_account', 'google_service_account'];
    const allIn = () => expect(definitions.every((name) => fetchLines().some((line) => line.includes(`"${name}"`)))).toBe(true);
    await vi.waitFor(allIn, { timeout: 10_000, interval: 100 }).catch(() => undefined);
    expect(fetchLines().length).toBeGreaterThan(0);
    for (const line of fetchLines()) {
      expect(line).toMatch(/ LOG \[EndpointsAuthKeys\] keys of "[a-z0-9_]+" not fetched \(.+\): expected while it holds [A-Z]/);
    }
    expect(lines().filter((line) => /WARN|could not be fetched|ENOTFOUND/.test(line) && !line.includes('expected while'))).toEqual([]);
  });

  it('prints a gRPC client line with a token that lists the shelves, and one without it that gets UNAUTHENTICATED', async () => {
    const lines = printed('node');
    expect(lines.length).toBe(2);
    const [withToken, without] = lines.map((line) => line.split(/\s+/).slice(1));
    const ok = await run(withToken!);
    expect(ok).toEqual({ code: 0, stdout: expect.stringMatching(/^OK \{"shelves":\[\{"id":1,"theme":"Fiction"\}/) });
    expect(await run(without!)).toEqual({ code: 1, stdout: 'UNAUTHENTICATED Jwt is missing\n' });
  });
});

/** The output without the colours Nest's console logger adds. */
function plain(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '');
}

/** Runs `node ...args` in the package root, as the printed line says; returns its exit code and output (no token in it). */
async function run(args: string[]): Promise<{ code: number; stdout: string }> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: root, timeout: 20_000 });
    return { code: 0, stdout };
  } catch (error: unknown) {
    const failed = error as { code?: number; stdout?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '' };
  }
}
