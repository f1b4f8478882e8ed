// The guard's cost per stage, in one process on one core, without HTTP: each stage function of the cached and the
// verified path timed in a loop on the bench's own token, route and spec (Nest 12 app initialised, not listening).
// Stages that need a fresh request (every real request is a new object) run against a baseline that only builds one;
// their cost is the difference. Cases run interleaved (A B C … A B C), each round's difference taken in the same
// round, medians reported, so drift on a shared machine hits every case alike. With --expose-gc the bytes each case
// allocates per call are counted too (heap used across a batch, after a full GC; batches a scavenge cut are retried).
// Alone: node --expose-gc dist-bench/bench/stages.js [--seconds 0.3] [--rounds 7]
import 'reflect-metadata';
import { Controller, Get, Logger, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { IncomingMessage, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import {
  ClaimsAuthorization,
  EndpointsAuthCounters,
  EndpointsAuthGuard,
  EndpointsAuthModule,
  RequestAuthenticator,
  RouteRequirements,
  StrategyRegistry,
} from '../lib/index.js';
import type { JwtClaims } from '../lib/interfaces/jwt-claims.interface.js';
import type { SecurityRequirement } from '../lib/interfaces/requirement.interface.js';
import { selectKeys } from '../lib/keys/select-keys.js';
import { verifySignature } from '../lib/keys/verify-signature.js';
import { isCorsPreflight } from '../lib/routes/cors-preflight.util.js';
import { requestOf } from '../lib/routes/request-of.util.js';
import { runStrategy } from '../lib/strategies/run-strategy.js';
import { TOKEN_SLOT } from '../lib/strategies/token-slot.js';
import { checkClaims } from '../lib/token/check-claims.js';
import { setClaims } from '../lib/token/claims-slot.js';
import { extractTokens } from '../lib/token/extract-tokens.js';
import type { HttpRequestLike } from '../lib/token/http-request.interface.js';
import { parseJwt } from '../lib/token/parse-jwt.js';
import { ValidatedTokenCache } from '../lib/token/validated-token-cache.js';
import { setUserInfo, stripUserInfo, userInfoValue } from '../lib/user-info/user-info-header.js';
import { benchClaims, benchSpec, jwksOf, makeKeys, signWith } from './tokens.js';

/** One stage's numbers over the rounds. */
export interface StageResult {
  name: string;
  /** Median over the rounds of (this case − its baseline) in the same round, ns per call. */
  ns: number;
  /** Bytes allocated per call beyond the baseline's (median of batches); `undefined` without --expose-gc. */
  bytes?: number;
}

interface StageCase {
  name: string;
  run: () => unknown;
  /** The case whose cost is subtracted (the fresh request every call builds). */
  baseline?: StageCase;
}

@Controller()
class HelloController {
  @Get('hello')
  hello() {
    return { hello: 'world', ok: true };
  }
}

/** The bench app's module with the library as the bench's server sets it up. */
function appModule(jwksUri: string, tokenCache: boolean): Type<unknown> {
  @Module({
    imports: [EndpointsAuthModule.forRoot({ spec: benchSpec(jwksUri), ...(tokenCache ? {} : { tokenCache: false }) })],
    controllers: [HelloController],
  })
  class StagesModule {}
  return StagesModule;
}

export async function runStages(seconds: number, rounds: number): Promise<StageResult[]> {
  Logger.overrideLogger(['error', 'warn']);
  const keys = makeKeys();
  const jwks = JSON.stringify(jwksOf(keys));
  const route = { path: '/hello' };
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;
  const token = signWith(keys.RS256, benchClaims(1, Math.floor(Date.now() / 1000)));

  const cachedApp = await NestFactory.create(appModule(jwksUri, true), { logger: ['error', 'warn'] });
  const verifiedApp = await NestFactory.create(appModule(jwksUri, false), { logger: ['error', 'warn'] });
  await cachedApp.init();
  await verifiedApp.init();
  const cachedGuard = cachedApp.get(EndpointsAuthGuard);
  const verifiedGuard = verifiedApp.get(EndpointsAuthGuard);
  const routes = cachedApp.get(RouteRequirements);
  const registry = cachedApp.get(StrategyRegistry);
  const counters = cachedApp.get(EndpointsAuthCounters);
  const cachedAuthenticator = cachedApp.get(RequestAuthenticator);
  const verifiedAuthenticator = verifiedApp.get(RequestAuthenticator);
  const strategy = registry.get('bench');
  const keyRecords = await strategy.keys.getKeys();
  await verifiedApp.get(StrategyRegistry).get('bench').keys.getKeys();

  // Flat, as the HTTP parser makes header values (a template literal's result would be a rope, flattened on use).
  const authorization = Buffer.from(`Bearer ${token}`).toString();
  /**
   * What Express hands the guard: a Node request (headers parsed from the raw list, as body-parser's read leaves
   * them), with what Express's router adds before the guard runs.
   */
  const newRequest = (): HttpRequestLike => {
    const request = new IncomingMessage(null as never) as IncomingMessage & Record<string, unknown>;
    request.method = 'GET';
    request.url = '/hello';
    request.rawHeaders = ['Host', '127.0.0.1', 'User-Agent', 'bench', 'Accept', '*/*', 'Authorization', authorization];
    void request.headers;
    request['originalUrl'] = '/hello';
    request['params'] = {};
    request['query'] = {};
    request['body'] = {};
    request['route'] = route;
    return request as unknown as HttpRequestLike;
  };
  const response = { header: () => undefined };
  /** A new context per call, as Nest builds one per request. */
  const newContext = (request: HttpRequestLike) => new ExecutionContextHost([request, response, () => undefined], HelloController, HelloController.prototype.hello);

  const request = newRequest();
  const context = newContext(request);
  const requirement = routes.requirementFor(context, request) as SecurityRequirement;
  // The default locations include the `access_token` query parameter: a URL with a query is read for it.
  const queried = newRequest();
  queried.url = queried.originalUrl = '/hello?page=2&sort=name&fields=id,title';
  if (!requirement || requirement.providers[0] !== 'bench') throw new Error('the bench route does not require the bench definition');
  const { provider } = strategy;
  const settings = { skew: 60, maxTokenBytes: 8192 };
  const jwt = parseJwt(token, settings.maxTokenBytes);
  const claims = Object.freeze(jwt.payload) as JwtClaims;
  const cache = new ValidatedTokenCache({ maxEntries: 1000, maxBytes: 8 << 20, ttlMs: 300_000 });
  cache.set(token, { claims, provider: 'bench', key: keyRecords[0]! }, Date.now());
  const scopes = new ClaimsAuthorization(['https://www.googleapis.com/auth/userinfo.email'], []);
  const scopedClaims = { ...claims, scope: 'openid https://www.googleapis.com/auth/userinfo.email' } as JwtClaims;

  const fresh: StageCase = { name: 'baseline: a new request and context', run: () => newContext(newRequest()) };
  const withFresh = (name: string, run: (request: HttpRequestLike) => unknown): StageCase => ({
    name,
    baseline: fresh,
    run: () => {
      const request = newRequest();
      newContext(request);
      return run(request);
    },
  });
  const guardCase = (name: string, guard: EndpointsAuthGuard): StageCase => ({
    name,
    baseline: fresh,
    run: () => {
      const result = guard.canActivate(newContext(newRequest()));
      if (result !== true) throw new Error(`${name}: the guard did not answer true synchronously`);
      return result;
    },
  });

  const cases: StageCase[] = [
    fresh,
    { name: 'requestOf(context)', run: () => requestOf(context) },
    withFresh('stripUserInfo (none sent)', (request) => stripUserInfo(request)),
    { name: 'requirement lookup (route table)', run: () => routes.requirementFor(context, request) },
    { name: 'CORS preflight check', run: () => isCorsPreflight(context, request) },
    { name: 'token extraction (Authorization, raw headers)', run: () => extractTokens(request, provider.locations) },
    { name: 'token extraction, URL with a query (no access_token)', run: () => extractTokens(queried, provider.locations) },
    // A request's token is a new string each time (a slice of its header value): its hash is never cached.
    { name: 'cache lookup (LRU get, a fresh token string)', run: () => cache.get(authorization.slice(7), Date.now()) },
    { name: 'claim checks (issuer, time, audience) + Date.now', run: () => checkClaims(claims, provider, settings.skew, Math.floor(Date.now() / 1000)) },
    { name: 'keys usable', run: () => strategy.keys.usable() },
    { name: 'authorization: one scope (not on the bench route)', run: () => scopes.refusalOf(scopedClaims) },
    { name: 'counters: cache hit + pass', run: () => (counters.addToken('hits'), counters.addPass('bench')) },
    withFresh('request.user (setClaims)', (request) => setClaims(request, claims)),
    withFresh('X-Endpoint-API-UserInfo (espv2 value + set)', (request) => setUserInfo(request, userInfoValue('espv2', token, claims))),
    { name: 'cached: RequestAuthenticator.verify', run: () => cachedAuthenticator.verify(request, requirement) },
    guardCase('cached: guard.canActivate (whole)', cachedGuard),
    { name: 'verified: parseJwt', run: () => parseJwt(token, settings.maxTokenBytes) },
    { name: 'verified: key choice (selectKeys)', run: () => selectKeys(keyRecords, 'RS256', jwt.header.kid) },
    { name: 'verified: signature (verifySignature)', run: () => verifySignature(jwt, keyRecords[0]!) },
    {
      name: 'verified: strategy run (checks, keys, signature)',
      run: () => runStrategy(strategy, request, { session: false, [TOKEN_SLOT]: { jwt } }),
    },
    { name: 'verified: RequestAuthenticator.verify', run: () => verifiedAuthenticator.verify(request, requirement) },
    guardCase('verified: guard.canActivate (whole)', verifiedGuard),
  ];

  // Every case must answer as the app would before it is timed.
  for (const c of cases) c.run();
  if (cachedAuthenticator.verify(request, requirement) instanceof Promise) throw new Error('a cache hit was not synchronous');
  for (const c of cases) measure(c, Math.min(seconds, 0.2));
  const nsPerRound = new Map<StageCase, number[]>(cases.map((c) => [c, []]));
  for (let round = 0; round < rounds; round++) for (const c of cases) nsPerRound.get(c)!.push(measure(c, seconds));
  const bytes = typeof globalThis.gc === 'function' ? new Map(cases.map((c) => [c, allocated(c)])) : undefined;

  await cachedApp.close();
  await verifiedApp.close();
  server.close();
  return cases.map((c) => {
    const mine = nsPerRound.get(c)!;
    const base = c.baseline ? nsPerRound.get(c.baseline)! : mine.map(() => 0);
    const own = bytes?.get(c);
    return {
      name: c.name,
      ns: median(mine.map((value, round) => value - base[round]!)),
      bytes: own === undefined ? undefined : own - (c.baseline ? bytes!.get(c.baseline)! : 0),
    };
  });
}

/** ns per call over a window of `seconds`, checking the clock every batch. */
function measure(c: StageCase, seconds: number): number {
  const fn = c.run;
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 64; i++) fn();
    n += 64;
  }
  return ((performance.now() - start) * 1e6) / n;
}

/** Bytes allocated per call: heap used across a batch after a full GC; a batch during which a GC ran is retried. */
function allocated(c: StageCase): number {
  const calls = 500;
  const samples: number[] = [];
  let collections = 0;
  const observer = new PerformanceObserver((list) => (collections += list.getEntries().length));
  observer.observe({ entryTypes: ['gc'] });
  for (let attempt = 0; attempt < 40 && samples.length < 7; attempt++) {
    globalThis.gc!();
    const seen = collections;
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < calls; i++) c.run();
    const after = process.memoryUsage().heapUsed;
    // GC entries arrive asynchronously; a batch that shrank the heap or that an entry reports is not a sample.
    if (after >= before && collections === seen) samples.push((after - before) / calls);
  }
  observer.disconnect();
  return samples.length ? median(samples) : NaN;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({ options: { seconds: { type: 'string', default: '0.3' }, rounds: { type: 'string', default: '7' } } });
  runStages(Number(values.seconds), Number(values.rounds)).then(
    (results) => {
      console.log('| stage | ns/call | bytes/call |\n|---|---:|---:|');
      for (const r of results) {
        const bytes = r.bytes === undefined || Number.isNaN(r.bytes) ? '—' : String(Math.round(r.bytes));
        console.log(`| ${r.name} | ${Math.round(r.ns)} | ${bytes} |`);
      }
      process.exit(0);
    },
    (error: unknown) => {
      console.error('stages failed:', error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
