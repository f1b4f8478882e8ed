// Memory: runs N (default 1 000 000) distinct valid tokens through the library's RequestAuthenticator with the
// validated-token cache on, in a process of its own, and reports peak RSS against the configured cache bounds.
// Tokens are HS256 (a symmetric key written in the spec, which the library supports) so a million can be signed in
// seconds; their claims are padded to an RS256 token's length, since the cache's cost is per token character. Each
// token is made, checked and dropped in turn: the run itself holds no token list that could hide the cache's growth.
// Run by run.ts (results over IPC), or alone:
//   node --expose-gc dist-bench/bench/memory.js [--tokens 1000000] [--max-entries 1000] [--max-bytes 8388608]
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { EndpointsAuthCounters, RequestAuthenticator, StrategyRegistry } from '../lib/index.js';
import type { TokenCacheOptions } from '../lib/interfaces/endpoints-auth-options.interface.js';
import { resolveOptions } from '../lib/options/resolve-options.js';
import { resolveSpec } from '../lib/api-config/resolve-spec.js';
import type { HttpRequestLike } from '../lib/token/http-request.interface.js';
import { benchClaims, benchSpec, makeKeys, signHs256, signWith } from './tokens.js';

export interface MemorySample {
  tokens: number;
  rss: number;
  heapUsed: number;
  cacheEntries: number;
}

export interface MemoryResult {
  label: string;
  tokens: number;
  tokenChars: number;
  configured: { maxEntries: number; maxBytes: number; ttlSeconds: number };
  seconds: number;
  /** After set-up and a GC, before the first token. */
  baseline: { rss: number; heapUsed: number };
  /** `process.resourceUsage().maxRSS`: the true peak, not a sample. */
  peakRss: number;
  /** After the last token and a GC: what the full cache keeps. */
  final: { rss: number; heapUsed: number; cacheEntries: number };
  /** (final heap − baseline heap) / entries: the real cost of one cached token. */
  retainedBytesPerEntry: number;
  /** What the cache believes it holds: entries × 3 bytes per token character. */
  estimatedBytes: number;
  hits: number;
  misses: number;
  samples: MemorySample[];
  /** Whether RSS stopped growing: the last half's highest sample is within 10 % (+ 8 MiB) of the first half's. */
  bounded: boolean;
}

export async function runMemory(count: number, cacheOptions: TokenCacheOptions, label: string): Promise<MemoryResult> {
  Logger.overrideLogger(['error', 'warn']);
  const secret = randomBytes(32);
  const spec = benchSpec(secret.toString('base64'));
  const options = { spec, tokenCache: cacheOptions };
  const settings = resolveOptions(options);
  if (!settings.tokenCache) throw new Error('the memory run needs the token cache on');
  const counters = new EndpointsAuthCounters();
  const registry = new StrategyRegistry(resolveSpec(options, settings), settings, counters);
  await registry.onModuleInit();
  const authenticator = new RequestAuthenticator(registry, settings, counters);
  const requirement = { providers: ['bench'], optional: false };
  // The cache is private to the authenticator; its size is read here only to report how full it is.
  const cacheEntries = () => (authenticator as unknown as { cache?: { size: number } }).cache?.size ?? 0;

  // Pad the claims so an HS256 token is as long as the RS256 token of the HTTP modes.
  const issuedAt = Math.floor(Date.now() / 1000);
  const rsChars = signWith(makeKeys().RS256, benchClaims(0, issuedAt)).length;
  const bare = signHs256(secret, { ...benchClaims(0, issuedAt), pad: '' }).length;
  const pad = 'p'.repeat(Math.max(0, Math.floor(((rsChars - bare) * 3) / 4)));
  const tokenOf = (serial: number) => signHs256(secret, { ...benchClaims(serial, issuedAt), pad });
  const tokenChars = tokenOf(0).length;

  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  const baseline = { rss: process.memoryUsage.rss(), heapUsed: process.memoryUsage().heapUsed };
  const samples: MemorySample[] = [];
  const every = Math.max(1, Math.floor(count / 40));
  const start = performance.now();
  for (let serial = 0; serial < count; serial++) {
    const token = tokenOf(serial);
    const request: HttpRequestLike = {
      method: 'GET',
      url: '/hello',
      headers: { host: '127.0.0.1', authorization: `Bearer ${token}` },
      rawHeaders: ['Host', '127.0.0.1', 'Authorization', `Bearer ${token}`],
    };
    if (!(await authenticator.authenticate(request, requirement))) throw new Error(`token ${serial} was refused`);
    if ((serial + 1) % every === 0) {
      const usage = process.memoryUsage();
      samples.push({ tokens: serial + 1, rss: usage.rss, heapUsed: usage.heapUsed, cacheEntries: cacheEntries() });
    }
  }
  const seconds = (performance.now() - start) / 1000;
  const peakRss = process.resourceUsage().maxRSS * 1024;
  gc?.();
  const final = { rss: process.memoryUsage.rss(), heapUsed: process.memoryUsage().heapUsed, cacheEntries: cacheEntries() };
  const { hits, misses } = counters.tokens();
  registry.onModuleDestroy();

  const half = samples.length >> 1;
  const maxRss = (list: MemorySample[]) => Math.max(...list.map((sample) => sample.rss));
  const bounded = samples.length < 4 || maxRss(samples.slice(half)) <= maxRss(samples.slice(0, half)) * 1.1 + 8 * 2 ** 20;
  return {
    label,
    tokens: count,
    tokenChars,
    configured: { maxEntries: settings.tokenCache.maxEntries, maxBytes: settings.tokenCache.maxBytes, ttlSeconds: settings.tokenCache.ttlMs / 1000 },
    seconds,
    baseline,
    peakRss,
    final,
    retainedBytesPerEntry: final.cacheEntries > 0 ? (final.heapUsed - baseline.heapUsed) / final.cacheEntries : 0,
    estimatedBytes: final.cacheEntries * tokenChars * 3,
    hits,
    misses,
    samples,
    bounded,
  };
}

// Run as a process of its own (by run.ts through fork, or by hand).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: {
      tokens: { type: 'string', default: '1000000' },
      'max-entries': { type: 'string' },
      'max-bytes': { type: 'string' },
      label: { type: 'string', default: 'default' },
    },
  });
  const cacheOptions: TokenCacheOptions = {};
  if (values['max-entries']) cacheOptions.maxEntries = Number(values['max-entries']);
  if (values['max-bytes']) cacheOptions.maxBytes = Number(values['max-bytes']);
  runMemory(Number(values.tokens), cacheOptions, values.label).then(
    (result) => {
      if (process.send) process.send({ type: 'memory', result }, () => process.exit(0));
      else {
        const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;
        console.log(
          `${result.label}: ${result.tokens} tokens in ${result.seconds.toFixed(1)} s; peak RSS ${mib(result.peakRss)} ` +
            `(baseline ${mib(result.baseline.rss)}); ${result.final.cacheEntries} entries, ${Math.round(result.retainedBytesPerEntry)} B each; bounded: ${result.bounded}`,
        );
        process.exit(0);
      }
    },
    (error: unknown) => {
      console.error('memory run failed:', error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
