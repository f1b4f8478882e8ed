/**
 * Issue 13 points 8 and 11: a refusal's reason is logged at debug level (the handler, the definition, the errorCode
 * and the CLI's plain words), never the token; and a token whose signature Cloud Run's IAM check removed gets its own
 * reason, not a base64 error.
 */
import { ConsoleLogger, type INestApplication, type LoggerService } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { claims, makeKey, nowSeconds, signJwt } from '../support/keys.js';
import { bootApp, expectNoEcho } from './verification-kit.js';

const ISSUER = 'https://logged.example.com';
const key = makeKey('RS256', 'logged-1');

/** Every line a Nest logger is given, by level. */
class Capture implements LoggerService {
  readonly lines: Array<{ level: string; text: string }> = [];
  log(message: unknown) { this.lines.push({ level: 'log', text: String(message) }); }
  error(message: unknown) { this.lines.push({ level: 'error', text: String(message) }); }
  warn(message: unknown) { this.lines.push({ level: 'warn', text: String(message) }); }
  debug(message: unknown) { this.lines.push({ level: 'debug', text: String(message) }); }
  verbose(message: unknown) { this.lines.push({ level: 'verbose', text: String(message) }); }
  debugLines = () => this.lines.filter((line) => line.level === 'debug').map((line) => line.text);
}

/** A console logger without the debug level, recording what reaches its `debug` anyway. */
class QuietConsole extends ConsoleLogger {
  readonly debugCalls: unknown[] = [];
  constructor() {
    super('test', { logLevels: ['error', 'warn'] });
  }
  override debug(message: unknown) {
    this.debugCalls.push(message);
  }
}

describe.each(ADAPTERS)('refusals explained on %s', (adapter: AdapterName) => {
  const keyServer = new KeyServer();
  const apps: INestApplication[] = [];
  const capture = new Capture();
  let url = '';
  let definitions: Parameters<typeof bootApp>[1];
  const token = (overrides: Record<string, unknown> = {}) => signJwt(key, claims(ISSUER, 'logged-audience', overrides));
  const lastDebug = () => capture.debugLines().at(-1) ?? '';

  beforeAll(async () => {
    await keyServer.start();
    keyServer.jwks('/logged', [key.jwk]);
    definitions = { logged: { issuer: ISSUER, jwksUri: `${keyServer.url}/logged`, audiences: 'logged-audience' } };
    const main = await bootApp(adapter, definitions, {}, (app) => app.useLogger(capture));
    apps.push(main.app);
    url = main.url;
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await keyServer.stop();
  });

  it('logs an expired token: the handler, the definition, the errorCode and when it expired, never the token', async () => {
    const sent = token({ exp: nowSeconds() - 600, iat: nowSeconds() - 1200 });
    const answer = await call(`${url}/logged`, { headers: bearer(sent) });
    expect(answer.status).toBe(401);
    const line = lastDebug();
    expect(line).toMatch(/^refused a call to DefinitionController\.echo \("logged"\): TOKEN_EXPIRED "Jwt is expired": /);
    expect(line).toMatch(/expired 10 minutes ago/);
    for (const piece of sent.split('.')) expect(line.includes(piece)).toBe(false);
  });

  it('logs a wrong audience with the audiences the definition accepts', async () => {
    const sent = token({ aud: 'someone-else' });
    expect((await call(`${url}/logged`, { headers: bearer(sent) })).status).toBe(403);
    expect(lastDebug()).toMatch(/AUDIENCE_NOT_ALLOWED .*logged-audience/);
    expect(lastDebug().includes(sent.split('.')[2])).toBe(false);
  });

  it('logs a missing token and an unreadable one', async () => {
    await call(`${url}/logged`);
    expect(lastDebug()).toMatch(/\("logged"\): MISSING_TOKEN "Jwt is missing"/);
    await call(`${url}/logged`, { headers: bearer('not-a-token') });
    expect(lastDebug()).toMatch(/INVALID_TOKEN .*the token cannot be read/);
  });

  it('computes and logs nothing when the debug level is off', async () => {
    // Nest's logger is one per process: the quiet app's replaces the capture until it is put back.
    const quiet = new QuietConsole();
    const silent = await bootApp(adapter, definitions, {}, (app) => app.useLogger(quiet));
    try {
      const answer = await call(`${silent.url}/logged`, { headers: bearer(token({ aud: 'someone-else' })) });
      expect(answer.status).toBe(403);
      expect(quiet.debugCalls).toEqual([]);
    } finally {
      await silent.app.close();
      apps[0].useLogger(capture);
    }
  });

  it("answers a token whose signature Cloud Run's IAM check removed with its own reason, and logs what to do", async () => {
    const [header, payload] = token().split('.');
    const sent = `${header}.${payload}.SIGNATURE_REMOVED_BY_GOOGLE`;
    const answer = await call(`${url}/logged`, { headers: bearer(sent) });
    expect({ status: answer.status, code: answer.body.errorCode, message: answer.body.message }).toEqual({
      status: 401,
      code: 'INVALID_TOKEN',
      message: 'Jwt signature was removed by Google (Cloud Run checked this token with IAM)',
    });
    expectNoEcho(answer, sent);
    expect(lastDebug()).toMatch(/X-Serverless-Authorization/);
  });
});
