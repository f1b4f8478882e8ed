/**
 * `EndpointsAuthCounters.refusals()` and `passes()` over real HTTP on Express and Fastify: a mix of requests gives
 * exactly the expected count per definition and errorCode, and random issuers and kids never add a row.
 */
import { Controller, Get, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_ERROR_MESSAGES, EndpointsAuthCounters, EndpointsAuthModule, Secured } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, call, startApp } from '../support/app.js';
import { claims, nowSeconds, signJwt } from '../support/keys.js';
import { passesOf, refusalsOf } from './counts-kit.js';

let issuers: Issuers;
const alpha = (overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', overrides), header);
const beta = (overrides: Record<string, unknown> = {}) =>
  signJwt(issuers.beta.key, claims(issuers.beta.issuer, `https://${issuers.service}`, overrides));
const expired = { iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 };

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

  @Secured('alpha', 'beta')
  @Get('either')
  either() {
    return { ok: true };
  }

  @Secured('alpha', 'beta', { scopes: ['write:shelves'] })
  @Get('write')
  write() {
    return { ok: true };
  }
}

describe.each(ADAPTERS)('refusal and pass counters on %s', (adapter) => {
  let url: string;
  let counters: EndpointsAuthCounters;
  const apps = new Apps();

  beforeAll(async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) })], controllers: [ShelvesController] })
    class CountsModule {}
    const started = apps.track(await startApp(CountsModule, adapter));
    url = started.url;
    counters = started.app.get(EndpointsAuthCounters);
  });
  afterAll(() => apps.closeAll());

  it('counts each refusal once under the definition it is about, and each pass under the definition that verified it', async () => {
    expect(counters.refusals()).toEqual([]);
    const statuses = [
      // One alternative: every refusal is about it, an unknown issuer included.
      await call(`${url}/alpha`),
      await call(`${url}/alpha`, { headers: bearer(alpha(expired)) }),
      await call(`${url}/alpha`, { headers: bearer(alpha({ aud: 'another-audience' })) }),
      await call(`${url}/alpha`, { headers: bearer(alpha({ iss: 'https://unknown.example.com' })) }),
      await call(`${url}/alpha`, { headers: bearer(alpha()) }),
      await call(`${url}/alpha`, { headers: bearer(alpha()) }),
      // Two alternatives: no token and an unknown issuer are about neither; a failure is about the one that judged it.
      await call(`${url}/either`),
      await call(`${url}/either`, { headers: bearer(alpha({ iss: 'https://unknown.example.com' })) }),
      await call(`${url}/either`, { headers: bearer(beta(expired)) }),
      await call(`${url}/either`, { headers: bearer(beta()) }),
      // A verified token the route's scopes refuse: counted under the definition that verified it.
      await call(`${url}/write`, { headers: bearer(beta({ scope: 'read:shelves' })) }),
    ].map((answer) => answer.status);
    expect(statuses).toEqual([401, 401, 403, 401, 200, 200, 401, 401, 401, 200, 403]);
    expect(refusalsOf(counters)).toEqual({
      'alpha/MISSING_TOKEN': 1,
      'alpha/TOKEN_EXPIRED': 1,
      'alpha/AUDIENCE_NOT_ALLOWED': 1,
      'alpha/UNKNOWN_ISSUER': 1,
      '-/MISSING_TOKEN': 1,
      '-/UNKNOWN_ISSUER': 1,
      'beta/TOKEN_EXPIRED': 1,
      'beta/INSUFFICIENT_SCOPE': 1,
    });
    expect(passesOf(counters)).toEqual({ alpha: 2, beta: 1 });
  });

  it('never adds a row for a random issuer or kid: rows are the spec definitions and "none", codes the fixed set', async () => {
    const before = refusalsOf(counters);
    for (let index = 0; index < 20; index++) {
      const answers = await Promise.all([
        call(`${url}/either`, { headers: bearer(alpha({ iss: `https://random-${index}.example.com` })) }),
        call(`${url}/alpha`, { headers: bearer(alpha({}, { kid: `random-kid-${index}` })) }),
      ]);
      expect(answers.map((answer) => answer.status)).toEqual([401, 401]);
    }
    const after = refusalsOf(counters);
    expect(after['-/UNKNOWN_ISSUER']).toBe(before['-/UNKNOWN_ISSUER']! + 20);
    expect(after['alpha/KEY_NOT_FOUND']).toBe(20);
    const rows = counters.refusals();
    expect(new Set(rows.map((row) => row.definition))).toEqual(new Set([undefined, 'alpha', 'beta']));
    for (const row of rows) expect(Object.keys(AUTH_ERROR_MESSAGES)).toContain(row.errorCode);
    // The preallocated table itself: one row per definition of the spec plus one for "no definition", still.
    const table = (counters as unknown as { outcomes: { rows: Map<unknown, unknown> } }).outcomes.rows;
    expect([...table.keys()]).toEqual([undefined, 'alpha', 'beta']);
  });
});
