/**
 * A tracer that throws (a user's span processor with a bug) must not change what a request is answered: tracing is
 * an observer. The processor here throws when a span starts or ends; the key fetch and the verification still run.
 */
import { Controller, Get, Module } from '@nestjs/common';
import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, Secured } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, call, startApp } from '../support/app.js';
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

function throwingProcessor(when: 'start' | 'end'): SpanProcessor {
  return {
    onStart() {
      if (when === 'start') throw new Error('span processor bug at start');
    },
    onEnd() {
      if (when === 'end') throw new Error('span processor bug at end');
    },
    forceFlush: async () => {},
    shutdown: async () => {},
  };
}

describe.each(ADAPTERS)('a throwing tracer on %s', (adapter) => {
  const apps = new Apps();
  afterEach(async () => {
    await apps.closeAll();
    trace.disable();
  });

  it.each(['start', 'end'] as const)('answers as without tracing when the span processor throws at %s', async (when) => {
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [throwingProcessor(when)] }));
    // Keys fetched on the first request, so the fetch's span is in the request's path too.
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers), keyCache: { eager: false } })], controllers: [AlphaController] })
    class TracedModule {}
    const { url } = apps.track(await startApp(TracedModule, adapter));
    const good = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));
    const wrongAudience = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'someone-else'));
    expect((await call(`${url}/alpha`, { headers: bearer(good) })).status).toBe(200);
    const refused = await call(`${url}/alpha`, { headers: bearer(wrongAudience) });
    expect([refused.status, refused.body.errorCode]).toEqual([403, 'AUDIENCE_NOT_ALLOWED']);
  });
});
