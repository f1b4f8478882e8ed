import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EndpointsAuthModule, type JwtClaims, Secured, UserInfo, applyEndpointsSecurity } from '../../lib/index.js';
import { type BuiltCli, buildCli, CLI_BUILD_TIMEOUT_MS, CLI_TEST_TIMEOUT_MS, writeSpec } from '../cli/cli-kit.js';
import { ADAPTERS, bearer, call, startApp } from '../support/app.js';
import { DevIssuers, type RunningDevIssuer } from './dev-issuer-process.js';
import { withEnv } from '../support/env.js';
import { FIREBASE, FIREBASE_DEFINITION } from './dev-kit.js';

// Each test spawns the CLI: seconds apiece on a loaded machine (see cli-kit.ts).
vi.setConfig({ testTimeout: CLI_TEST_TIMEOUT_MS });

/**
 * Local development from a shell, end to end: `endpoints-auth dev-issuer --port 0` runs as a child process; a real
 * Nest app, whose firebase definition names Google's key URL (never reached), starts with ENDPOINTS_AUTH_DEV_JWKS_URI
 * set to the URL it printed; `endpoints-auth token --issuer dev` mints in another child; the app answers over a real
 * socket. A restart of the dev issuer keeps the key, so a token minted before it still passes.
 */


const openapi = {
  swagger: '2.0',
  info: { title: 'local development', version: '1' },
  host: 'api.example.com',
  securityDefinitions: {
    firebase: FIREBASE_DEFINITION,
  },
  paths: {},
};

@Secured('firebase')
@Controller('me')
class MeController {
  @Get()
  me(@UserInfo() user: JwtClaims) {
    return user;
  }
}

let cli: BuiltCli;
let dir: string;
let spec: string;
let issuers: DevIssuers;
let devIssuer: RunningDevIssuer;

beforeAll(async () => {
  [cli, dir] = await Promise.all([buildCli(), mkdtemp(join(tmpdir(), 'endpoints-auth-dev-'))]);
  spec = await writeSpec(dir, 'openapi.yaml', openapi);
  issuers = new DevIssuers(cli);
  devIssuer = await issuers.start(['--spec', spec, '--port', '0', '--dir', join(dir, '.endpoints-auth')]);
}, CLI_BUILD_TIMEOUT_MS);

afterAll(async () => {
  issuers?.killAll();
  await Promise.all([cli?.remove(), dir && rm(dir, { recursive: true, force: true })]);
});

/** `endpoints-auth token --issuer dev …` in a child process, as typed in a shell; returns the token it printed. */
async function mint(...args: string[]): Promise<string> {
  const run = await cli.run(['token', '--issuer', 'dev', '--dir', join(dir, '.endpoints-auth'), ...args]);
  expect(run.code, run.stderr).toBe(0);
  return run.stdout.trim();
}

/** The app started as `ENDPOINTS_AUTH_DEV_JWKS_URI=<url> npm start` would start it. */
async function startWithDevKeys(adapter: (typeof ADAPTERS)[number][0], jwksUri: string): Promise<{ app: INestApplication; url: string }> {
  @Module({ imports: [EndpointsAuthModule.forRoot({ spec })], controllers: [MeController] })
  class AppModule {}
  return withEnv({ NODE_ENV: 'development', ENDPOINTS_AUTH_DEV_JWKS_URI: jwksUri }, () => startApp(AppModule, adapter, withSwagger));
}

/** Serves the app's Swagger document at /docs-json, completed by applyEndpointsSecurity (as docs/swagger.md shows). */
function withSwagger(app: INestApplication): void {
  const config = new DocumentBuilder().setTitle('local development').build();
  SwaggerModule.setup('docs', app, () => applyEndpointsSecurity(app, SwaggerModule.createDocument(app, config)), {
    jsonDocumentUrl: 'docs-json',
    ui: false,
  });
}

/** The header Swagger UI's "Authorize" sends for a security scheme once a token is pasted into it. */
function authorizeHeader(scheme: { type: string; scheme?: string; in?: string; name?: string }, token: string): Record<string, string> {
  if (scheme.type === 'http' && scheme.scheme === 'bearer') return { authorization: `Bearer ${token}` };
  if (scheme.type === 'apiKey' && scheme.in === 'header' && scheme.name) return { [scheme.name]: token };
  throw new Error(`Swagger UI cannot send a pasted token for a ${scheme.type} scheme`);
}

describe.each(ADAPTERS)('dev-issuer and token drive an app on %s', (adapter) => {
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    ({ app, url } = await startWithDevKeys(adapter, devIssuer.url));
  });

  afterAll(() => app?.close());

  it('accepts a minted token with its custom claims', async () => {
    const token = await mint('--claim', 'email=a@b.c', '--claim', 'email_verified=true');
    const response = await call(`${url}/me`, { headers: bearer(token) });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ iss: FIREBASE, aud: 'my-project', sub: 'test-user', email: 'a@b.c', email_verified: true });
  });

  it('refuses an --expired token with TOKEN_EXPIRED', async () => {
    const response = await call(`${url}/me`, { headers: bearer(await mint('--expired')) });
    expect(response.status).toBe(401);
    expect(response.body.errorCode).toBe('TOKEN_EXPIRED');
  });

  it('refuses a token without one', async () => {
    const response = await call(`${url}/me`);
    expect(response.status).toBe(401);
  });

  it("answers 200 to a dev token pasted into Swagger UI's Authorize for the operation's scheme", async () => {
    const document = (await call(`${url}/docs-json`)).body;
    const security = document.paths['/me'].get.security as Record<string, string[]>[];
    expect(security).toEqual([{ firebase: [] }]);
    const scheme = document.components.securitySchemes.firebase;
    expect(scheme).toMatchObject({ type: 'http', scheme: 'bearer', 'x-google-issuer': FIREBASE });
    const response = await call(`${url}/me`, { headers: authorizeHeader(scheme, await mint('--claim', 'email=ui@b.c')) });
    expect(response.status).toBe(200);
    expect(response.body.email).toBe('ui@b.c');
  });
});

describe('a restart of dev-issuer', () => {
  it('keeps the key: a token minted before it passes an app started after it', async () => {
    const before = await mint('--claim', 'email=a@b.c');
    expect((await devIssuer.stop('SIGINT')).code).toBe(0);
    devIssuer = await issuers.start(['--port', '0', '--dir', join(dir, '.endpoints-auth')]);
    const { app, url } = await startWithDevKeys('express', devIssuer.url);
    try {
      const response = await call(`${url}/me`, { headers: bearer(before) });
      expect(response.status).toBe(200);
      expect(response.body.email).toBe('a@b.c');
      // The spec recorded by the first run is still used when the restart names none.
      expect((await call(`${url}/me`, { headers: bearer(await mint('--subject', 'after')) })).body.sub).toBe('after');
    } finally {
      await app.close();
      await devIssuer.stop();
    }
  });
});
