import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
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

  beforeAll(async () => {
    ({ app, url, token } = await startBookstore(0, adapter(), { logger: false }));
  });
  afterAll(() => app?.close());

  it('serves a secured shelf to the embedded issuer’s token and refuses a call without one', async () => {
    expect((await call(`${url}/shelves/1`, { headers: bearer(token) })).status).toBe(200);
    const missing = await call(`${url}/shelves/1`);
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ message: 'Jwt is missing', errorCode: 'MISSING_TOKEN' });
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
    child = spawn('npm', ['start'], { cwd: root, env: { ...process.env, PORT: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('npm start printed no curl lines within 90 s')), 90_000);
      const poll = setInterval(() => {
        if (/Without it[^\n]*\n\s+curl [^\n]+\n/.test(output)) {
          clearInterval(poll);
          clearTimeout(timer);
          resolve();
        }
      }, 100);
      child.on('exit', (code) => reject(new Error(`npm start exited with ${code}`)));
    });
  }, 120_000);
  afterAll(() => {
    child?.kill('SIGINT');
  });

  it('prints a token whose curl line returns 200, and a curl line without it that returns 401', async () => {
    // The printed lines are run as a user would run them; the token itself never reaches the test output.
    const lines = output.split('\n').filter((line) => line.trim().startsWith('curl '));
    expect(lines).toHaveLength(2);
    const [withToken, without] = lines.map((line) => {
      const parts = /curl (?:-H "([^:]+): ([^"]+)" )?(\S+)/.exec(line.trim());
      return { headers: parts?.[1] ? { [parts[1]]: parts[2] } : undefined, url: parts?.[3] ?? '' };
    });
    const ok = await call(withToken.url, { headers: withToken.headers });
    expect(ok.status).toBe(200);
    const refused = await call(without.url);
    expect(refused.status).toBe(401);
  });
});
