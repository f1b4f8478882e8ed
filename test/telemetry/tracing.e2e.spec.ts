/**
 * OpenTelemetry spans with a real SDK (BasicTracerProvider + InMemorySpanExporter): a key fetch and each full token
 * verification are spans with the documented attributes; cache hits add none; no attribute, event or status holds the
 * token, its signature or its claims; `tracing: false` records nothing.
 */
import { Controller, Get, Module } from '@nestjs/common';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, Secured } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, call, startApp } from '../support/app.js';
import { recordSpans } from '../support/span-recorder.js';
import { claims, makeKey, nowSeconds, signJwt } from '../support/keys.js';

let issuers: Issuers;
const alpha = (overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', overrides), header);

beforeAll(async () => {
  issuers = await startIssuers();
});
afterAll(() => issuers?.server.stop());

@Controller()
class ShelvesController {
  @Secured('alpha')
  @Get('alpha')
  alpha() {
    return { ok: true };
  }
}

/** The spec with alpha's key URL carrying a query, which a span must never show. */
function spec() {
  const document = openApi2(issuers);
  const definitions = document.securityDefinitions as Record<string, Record<string, unknown>>;
  definitions['alpha']!['x-google-jwks_uri'] = `${issuers.alpha.jwksUri}?api_key=secret-query-value`;
  return document;
}

/** `eager` (the default here): keys are fetched before the app listens, so the first request finds them at hand. */
function moduleWith(tracing?: boolean, eager = true) {
  @Module({ imports: [EndpointsAuthModule.forRoot({ spec: spec(), tracing, keyCache: { eager } })], controllers: [ShelvesController] })
  class TracedModule {}
  return TracedModule;
}

/** The spans called `name` about the definition alpha (beta's keys are fetched at start-up too). */
const named = (spans: ReadableSpan[], name: string) =>
  spans.filter((span) => span.name === name && span.attributes['endpoints_auth.definition'] === 'alpha');

describe.each(ADAPTERS)('OpenTelemetry spans on %s', (adapter) => {
  const recorder = recordSpans();
  const apps = new Apps();
  afterEach(() => apps.closeAll());

  it('records the key fetch and each full verification with the documented attributes, never the token', async () => {
    const { url } = apps.track(await startApp(moduleWith(), adapter));
    const good = alpha();
    const expired = alpha({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 });
    const unknownKid = alpha({}, { kid: 'not-in-the-set' });
    // Signed by another key under alpha's kid: a key fits, its signature check fails.
    const forged = signJwt(makeKey('RS256', 'alpha-1'), claims(issuers.alpha.issuer, 'alpha-audience'));
    const statuses = [];
    for (const token of [good, good, expired, unknownKid, forged]) statuses.push((await call(`${url}/alpha`, { headers: bearer(token) })).status);
    expect(statuses).toEqual([200, 200, 401, 401, 401]);

    const spans = recorder.spans();
    const fetches = named(spans, 'endpoints_auth.fetch_keys');
    // The start-up fetch; the unknown kid comes within the refetch cooldown, so it waits on the store but fetches nothing.
    expect(fetches.length).toBe(1);
    for (const fetch of fetches) {
      expect(fetch.instrumentationScope.name).toBe('nestjs-endpoints-auth');
      expect(fetch.attributes).toEqual({
        'endpoints_auth.definition': 'alpha',
        'url.full': issuers.alpha.jwksUri,
        'endpoints_auth.outcome': 'fetched',
        'endpoints_auth.keys': 1,
      });
    }
    // The cache hit (the second good request) has no span: four verifications for five requests.
    const verifications = named(spans, 'endpoints_auth.verify_token').map((span) => span.attributes);
    expect(verifications).toEqual([
      { 'endpoints_auth.definition': 'alpha', 'endpoints_auth.outcome': 'accepted', 'endpoints_auth.key_found': true, 'endpoints_auth.keys_awaited': false },
      { 'endpoints_auth.definition': 'alpha', 'endpoints_auth.outcome': 'refused', 'endpoints_auth.error_code': 'TOKEN_EXPIRED', 'endpoints_auth.keys_awaited': false },
      {
        'endpoints_auth.definition': 'alpha',
        'endpoints_auth.outcome': 'refused',
        'endpoints_auth.error_code': 'KEY_NOT_FOUND',
        'endpoints_auth.key_found': false,
        'endpoints_auth.keys_awaited': true,
      },
      {
        'endpoints_auth.definition': 'alpha',
        'endpoints_auth.outcome': 'refused',
        'endpoints_auth.error_code': 'INVALID_TOKEN',
        'endpoints_auth.key_found': true,
        'endpoints_auth.keys_awaited': false,
      },
    ]);

    const recorded = JSON.stringify(spans.map((span) => [span.name, span.attributes, span.events, span.status, span.links]));
    expect(recorded).not.toContain('secret-query-value');
    for (const token of [good, expired, unknownKid, forged]) {
      const [, payload, signature] = token.split('.');
      expect(recorded).not.toContain(payload);
      expect(recorded).not.toContain(signature);
    }
    expect(recorded).not.toContain(issuers.alpha.issuer);
    expect(recorded).not.toContain('user-1');
  });

  it('records a failed key fetch with its reason', async () => {
    issuers.server.set('/alpha/jwks', { status: 503, body: 'down' });
    try {
      const { url } = apps.track(await startApp(moduleWith(undefined, false), adapter));
      expect((await call(`${url}/alpha`, { headers: bearer(alpha()) })).status).toBe(401);
      const failed = named(recorder.spans(), 'endpoints_auth.fetch_keys').at(-1)!;
      expect(failed.attributes['endpoints_auth.outcome']).toBe('failed');
      expect(failed.status).toEqual({ code: 2, message: 'HTTP 503' });
    } finally {
      issuers.server.jwks('/alpha/jwks', [issuers.alpha.key.jwk]);
    }
  });

  it('records nothing with tracing: false', async () => {
    const { url } = apps.track(await startApp(moduleWith(false), adapter));
    expect((await call(`${url}/alpha`, { headers: bearer(alpha({ jti: 'untraced' })) })).status).toBe(200);
    expect(recorder.spans()).toEqual([]);
  });
});
