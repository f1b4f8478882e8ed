/**
 * A key URL written with credentials (`https://user:password@host/keys`): `fetch()` refuses such a URL with an error
 * that quotes it whole, so the failed fetch's reason must not carry the password into the warning log line or the
 * `endpoints_auth.fetch_keys` span's status.
 */
import { Controller, Get, type LoggerService, Module } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, Secured } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, call, startApp } from '../support/app.js';
import { recordSpans } from '../support/span-recorder.js';
import { claims, signJwt } from '../support/keys.js';

let issuers: Issuers;
beforeAll(async () => {
  issuers = await startIssuers();
});
afterAll(() => issuers?.server.stop());

@Controller()
class AlphaController {
  @Secured('alpha')
  @Get('alpha')
  alpha() {
    return { ok: true };
  }
}

/** Every line at every level, so a leak at any level is seen. */
class AllLines implements LoggerService {
  readonly lines: string[] = [];
  log = (message: unknown) => this.lines.push(String(message));
  error = (message: unknown) => this.lines.push(String(message));
  warn = (message: unknown) => this.lines.push(String(message));
  debug = (message: unknown) => this.lines.push(String(message));
  verbose = (message: unknown) => this.lines.push(String(message));
}

function moduleWithCredentials() {
  const document = openApi2(issuers);
  const alpha = (document.securityDefinitions as Record<string, Record<string, unknown>>)['alpha']!;
  alpha['x-google-jwks_uri'] = issuers.alpha.jwksUri.replace('http://', 'http://keys-user:hunter2-password@');
  @Module({ imports: [EndpointsAuthModule.forRoot({ spec: document, keyCache: { eager: false } })], controllers: [AlphaController] })
  class CredentialsModule {}
  return CredentialsModule;
}

describe.each(ADAPTERS)('a key URL with credentials on %s', (adapter) => {
  const recorder = recordSpans();
  const apps = new Apps();
  afterEach(() => apps.closeAll());

  it('fails the fetch without quoting the password in the log or the span', async () => {
    const logger = new AllLines();
    const { url } = apps.track(await startApp(moduleWithCredentials(), adapter, (app) => app.useLogger(logger)));
    const token = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));
    expect((await call(`${url}/alpha`, { headers: bearer(token) })).status).toBe(401);

    const fetches = recorder.spans().filter((span) => span.name === 'endpoints_auth.fetch_keys');
    expect(fetches.length).toBeGreaterThan(0);
    expect(fetches[0]!.attributes['endpoints_auth.outcome']).toBe('failed');
    expect(fetches[0]!.status.message).toMatch(/credentials/);
    const recorded = JSON.stringify(fetches.map((span) => [span.attributes, span.status, span.events]));
    expect(recorded).not.toContain('hunter2-password');
    const warning = logger.lines.find((line) => line.includes('keys of "alpha" could not be fetched'));
    expect(warning).toBeDefined();
    expect(logger.lines.join('\n')).not.toContain('hunter2-password');
  });
});
