/** Helpers for the requirement e2e tests: apps built from controllers and a spec, tokens of the fixture issuers, failures. */
import { type INestApplication, Module, type Provider, type Type } from '@nestjs/common';
import { afterAll, beforeAll, expect } from 'vitest';
import { EndpointsAuthModule, type EndpointsAuthModuleOptions } from '../../lib/index.js';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { type AdapterName, Apps, bearer, call, startApp } from '../support/app.js';

export { Apps };
import { type TestKey, claims, makeKey, nowSeconds, signJwt } from '../support/keys.js';

/** Boots `controllers` with `EndpointsAuthModule.forRoot(options)` on `adapter`; `configure` runs before listen. */
export async function boot(
  adapter: AdapterName,
  options: EndpointsAuthModuleOptions,
  controllers: Type<unknown>[],
  configure?: (app: INestApplication) => void,
  providers: Provider[] = [],
): Promise<{ app: INestApplication; url: string }> {
  @Module({ imports: [EndpointsAuthModule.forRoot(options)], controllers, providers })
  class RequirementsModule {}
  return startApp(RequirementsModule, adapter, configure);
}


/**
 * Starts the fixture issuers before a describe block's tests and hands them, with their tokens, to `setUp`; after
 * the block, closes `apps` and stops the key server.
 */
export function withIssuers(
  apps: Apps,
  setUp: (issuers: Issuers, tokens: ReturnType<typeof tokensOf>) => void | Promise<void>,
): void {
  let issuers: Issuers | undefined;
  beforeAll(async () => {
    issuers = await startIssuers();
    await setUp(issuers, tokensOf(issuers));
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });
}

/** Tokens of the two fixture issuers: alpha (RS256, audience `alpha-audience`), beta (ES256, the service audience). */
export function tokensOf(issuers: Issuers) {
  const alphaAudience = 'alpha-audience';
  const betaAudience = `https://${issuers.service}`;
  /** A key with alpha's kid that alpha's key server does not publish: its signatures never verify. */
  const forger: TestKey = makeKey('RS256', issuers.alpha.key.kid);
  const expired = { iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 };
  return {
    alpha: (overrides: Record<string, unknown> = {}) =>
      signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, alphaAudience, overrides)),
    beta: (overrides: Record<string, unknown> = {}) =>
      signJwt(issuers.beta.key, claims(issuers.beta.issuer, betaAudience, overrides)),
    alphaExpired: () => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, alphaAudience, expired)),
    betaExpired: () => signJwt(issuers.beta.key, claims(issuers.beta.issuer, betaAudience, expired)),
    /** Alpha's claims and kid, signed by a key alpha never published. */
    alphaBadSignature: () => signJwt(forger, claims(issuers.alpha.issuer, alphaAudience)),
    /** Signed with alpha's real key, but naming an issuer no definition has. */
    unknownIssuer: () => signJwt(issuers.alpha.key, claims('https://stranger.example.com', alphaAudience)),
  };
}

/** A response as `call()` returns it. */
export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** The answer is an authentication failure with ESP's message and the stable code (401 unless told). */
export function expectRejected(answer: Answer, message: string, errorCode: string, status = 401): void {
  expect({ status: answer.status, message: answer.body?.message, errorCode: answer.body?.errorCode }).toEqual({
    status,
    message,
    errorCode,
  });
  // RFC 6750 as ESPv2 writes it: error="invalid_token" unless the token was missing.
  const challenge = answer.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer realm="[^"]*"/);
  expect(challenge.endsWith(', error="invalid_token"')).toBe(errorCode !== 'MISSING_TOKEN');
}

/** `Jwt is missing`, the answer to a request without a token where one is required. */
export const expectMissing = (answer: Answer) => expectRejected(answer, 'Jwt is missing', 'MISSING_TOKEN');
/** `Jwt issuer is not configured`. */
export const expectUnknownIssuer = (answer: Answer) =>
  expectRejected(answer, 'Jwt issuer is not configured', 'UNKNOWN_ISSUER');

/**
 * Checks of what a route requires, for handlers that answer `{ iss: <@UserInfo('iss')> ?? null, ... }`.
 * `requires(url, 'alpha')`: no token → missing, the other issuer's token → unknown issuer, its own → 200 with its `iss`.
 * `open(url)`: never checked — no token, an expired token and a good token all pass, and no claims reach the handler.
 */
export function requirementChecks(issuers: Issuers, tokens: ReturnType<typeof tokensOf>) {
  return {
    async requires(url: string, name: 'alpha' | 'beta', method = 'GET') {
      const other = name === 'alpha' ? 'beta' : 'alpha';
      expectMissing(await call(url, { method }));
      expectUnknownIssuer(await call(url, { method, headers: bearer(tokens[other]()) }));
      const ok = await call(url, { method, headers: bearer(tokens[name]()) });
      expect({ status: ok.status, iss: ok.body?.iss }).toEqual({ status: 200, iss: issuers[name].issuer });
      return ok;
    },
    async open(url: string, method = 'GET') {
      for (const headers of [{}, bearer(tokens.alphaExpired()), bearer(tokens.alpha())]) {
        const answer = await call(url, { method, headers });
        expect({ status: answer.status, iss: answer.body?.iss }).toEqual({ status: 200, iss: null });
      }
    },
  };
}
