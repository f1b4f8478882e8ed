// Micro-benchmark, in one process on one core: this library's verify path against raw `crypto.verify` with a
// KeyObject (the physical limit), same token. Cases run interleaved (A B C … A B C) in fixed windows after a warm-up,
// so drift on a shared machine hits every case alike; each round's ratio is taken against the same round's raw case.
// Run by run.ts (results over IPC), or alone: node dist-bench/bench/micro.js [--seconds 1] [--rounds 5]
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { type KeyObject, createPublicKey, verify } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';
import { EndpointsAuthCounters, RequestAuthenticator, StrategyRegistry } from '../lib/index.js';
import type { KeyRecord } from '../lib/keys/key-record.interface.js';
import { selectKeys } from '../lib/keys/select-keys.js';
import { verifySignature } from '../lib/keys/verify-signature.js';
import { resolveOptions } from '../lib/options/resolve-options.js';
import { resolveSpec } from '../lib/api-config/resolve-spec.js';
import { checkClaims } from '../lib/token/check-claims.js';
import type { HttpRequestLike } from '../lib/token/http-request.interface.js';
import { parseJwt } from '../lib/token/parse-jwt.js';
import { AUDIENCE, ISSUER, SERVICE_HOST, type SigningAlg, benchClaims, jwksOf, makeKeys, signWith } from './tokens.js';

/** One case's numbers over the rounds. */
export interface MicroCase {
  name: string;
  alg: SigningAlg;
  /** The raw case of the same algorithm is the reference (ratio 1). */
  reference: boolean;
  opsPerRound: number[];
  medianOps: number;
  usPerOp: number;
  ratioPerRound: number[];
  medianRatio: number;
}

export interface MicroResult {
  node: string;
  rounds: number;
  secondsPerCase: number;
  warmupSeconds: number;
  tokenChars: Record<SigningAlg, number>;
  /** The library's token-cache counters after the run (only the cache-hit case uses the cache). */
  tokenCounts: { hits: number; misses: number };
  cases: MicroCase[];
}

interface CaseDef {
  name: string;
  alg: SigningAlg;
  reference?: boolean;
  sync?: () => unknown;
  async?: () => Promise<unknown>;
}

export async function runMicro(secondsPerCase: number, rounds: number, warmupSeconds: number): Promise<MicroResult> {
  // The library logs one line per definition at start-up; the numbers are the only output wanted here.
  Logger.overrideLogger(['error', 'warn']);
  const keys = makeKeys();
  const jwks = JSON.stringify(jwksOf(keys));
  // The strategy's key store fetches its keys once from a URL, as in the app; this server is idle while measuring.
  const server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end(jwks));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const jwksUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks.json`;

  const issuedAt = Math.floor(Date.now() / 1000);
  const tokens: Record<SigningAlg, string> = {
    RS256: signWith(keys.RS256, benchClaims(1, issuedAt)),
    ES256: signWith(keys.ES256, benchClaims(1, issuedAt)),
  };
  const publicKeys: Record<SigningAlg, KeyObject> = {
    RS256: createPublicKey({ key: keys.RS256.jwk as import('node:crypto').JsonWebKey, format: 'jwk' }),
    ES256: createPublicKey({ key: keys.ES256.jwk as import('node:crypto').JsonWebKey, format: 'jwk' }),
  };

  // The module's own pieces, built as the module builds them (options → spec → registry → authenticator).
  const spec = {
    swagger: '2.0',
    info: { title: 'bench', version: '1.0.0' },
    host: SERVICE_HOST,
    securityDefinitions: {
      bench: { type: 'oauth2', authorizationUrl: '', flow: 'implicit', 'x-google-issuer': ISSUER, 'x-google-jwks_uri': jwksUri, 'x-google-audiences': AUDIENCE },
    },
    security: [{ bench: [] }],
    paths: {},
  };
  // One registry (one set of strategies and keys), two authenticators: one with the token cache off, one with it on.
  const settings = resolveOptions({ spec, tokenCache: false });
  const cachedSettings = resolveOptions({ spec });
  const resolved = resolveSpec({ spec }, settings);
  const counters = new EndpointsAuthCounters();
  const registry = new StrategyRegistry(resolved, settings, counters);
  await registry.onModuleInit();
  const keyRecords = await registry.get('bench').keys.getKeys();
  const requirement = resolved.apiRequirement!;
  const uncached = new RequestAuthenticator(registry, settings, counters);
  const cached = new RequestAuthenticator(registry, cachedSettings, counters);
  const provider = registry.get('bench').provider;

  /** What the strategy does on a cache miss, without Passport and the promise around it. */
  const libraryPieces = (token: string): KeyRecord => {
    const jwt = parseJwt(token, settings.maxTokenBytes);
    checkClaims(jwt.payload, provider, settings.clockSkewSeconds, Math.floor(Date.now() / 1000));
    const candidates = selectKeys(keyRecords, jwt.header.alg, jwt.header.kid);
    const key = candidates.find((candidate) => verifySignature(jwt, candidate));
    if (!key) throw new Error('the library refused the benchmark token');
    return key;
  };
  /** An Express-like request: Express keeps the raw header list, which the library reads. */
  const requestWith = (token: string): HttpRequestLike => ({
    method: 'GET',
    url: '/hello',
    protocol: 'http',
    headers: { host: '127.0.0.1', authorization: `Bearer ${token}` },
    rawHeaders: ['Host', '127.0.0.1', 'Authorization', `Bearer ${token}`],
  });
  const authenticate = (authenticator: RequestAuthenticator, token: string) => async () => {
    const claims = await authenticator.authenticate(requestWith(token), requirement);
    if (!claims) throw new Error('the library refused the benchmark token');
    return claims;
  };

  const cases: CaseDef[] = [];
  for (const alg of ['RS256', 'ES256'] as const) {
    const token = tokens[alg];
    const key = publicKeys[alg];
    // Pre-decoded: crypto.verify alone, the floor under any JWT verifier.
    const dot = token.lastIndexOf('.');
    const data = Buffer.from(token.slice(0, dot));
    const signature = Buffer.from(token.slice(dot + 1), 'base64url');
    const verifyKey = alg === 'ES256' ? { key, dsaEncoding: 'ieee-p1363' as const } : key;
    cases.push({ name: `crypto.verify only (pre-decoded input)`, alg, sync: () => verify('sha256', data, verifyKey, signature) });
    cases.push({ name: `raw crypto.verify, KeyObject (split + base64url + verify)`, alg, reference: true, sync: () => rawVerify(token, verifyKey) });
    cases.push({ name: `library pieces: parseJwt → checkClaims → selectKeys → verifySignature`, alg, sync: () => libraryPieces(token) });
    cases.push({ name: `library RequestAuthenticator, tokenCache: false (the strategy through its Passport API)`, alg, async: authenticate(uncached, token) });
  }
  cases.push({ name: `library RequestAuthenticator, cache hit`, alg: 'RS256', async: authenticate(cached, tokens.RS256) });

  // Every case must succeed before it is timed: a benchmark of a failing path measures nothing.
  for (const c of cases) {
    const ok = c.sync ? c.sync() : await c.async!();
    if (ok === false) throw new Error(`${c.name} ${c.alg} did not verify`);
  }
  for (const c of cases) await measure(c, warmupSeconds);
  const ops = new Map<CaseDef, number[]>(cases.map((c) => [c, []]));
  for (let round = 0; round < rounds; round++) {
    for (const c of cases) ops.get(c)!.push(await measure(c, secondsPerCase));
  }
  // The cache-hit case must have been hits, and the uncached cases must not have touched the cache.
  const tokenCounts = counters.tokens();
  registry.onModuleDestroy();
  server.close();

  const result: MicroCase[] = cases.map((c) => {
    const mine = ops.get(c)!;
    const reference = ops.get(cases.find((other) => other.reference && other.alg === c.alg)!)!;
    const ratioPerRound = mine.map((value, round) => value / reference[round]);
    const medianOps = median(mine);
    return { name: c.name, alg: c.alg, reference: c.reference === true, opsPerRound: mine.map(Math.round), medianOps: Math.round(medianOps), usPerOp: 1e6 / medianOps, ratioPerRound, medianRatio: median(ratioPerRound) };
  });
  return { node: process.version, rounds, secondsPerCase, warmupSeconds, tokenChars: { RS256: tokens.RS256.length, ES256: tokens.ES256.length }, tokenCounts, cases: result };
}

/** The reference: what any verifier must do at least (find the signature, decode it, verify). */
function rawVerify(token: string, key: Parameters<typeof verify>[2]): boolean {
  const dot = token.lastIndexOf('.');
  return verify('sha256', Buffer.from(token.slice(0, dot)), key, Buffer.from(token.slice(dot + 1), 'base64url'));
}

/** Operations per second of `c` over a window of `seconds`, checking the clock every batch. */
async function measure(c: CaseDef, seconds: number): Promise<number> {
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  if (c.sync) {
    const fn = c.sync;
    while (performance.now() < end) {
      for (let i = 0; i < 32; i++) fn();
      n += 32;
    }
  } else {
    const fn = c.async!;
    while (performance.now() < end) {
      for (let i = 0; i < 16; i++) await fn();
      n += 16;
    }
  }
  return n / ((performance.now() - start) / 1000);
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

// Run as a process of its own (by run.ts through fork, or by hand).
if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const { values } = parseArgs({
    options: { seconds: { type: 'string', default: '1' }, rounds: { type: 'string', default: '5' }, warmup: { type: 'string', default: '1' } },
  });
  runMicro(Number(values.seconds), Number(values.rounds), Number(values.warmup)).then(
    (result) => {
      if (process.send) process.send({ type: 'micro', result }, () => process.exit(0));
      else {
        for (const c of result.cases) console.log(`${c.alg} ${c.name.padEnd(72)} ${String(c.medianOps).padStart(9)} ops/s ${c.usPerOp.toFixed(1).padStart(7)} µs  ×${c.medianRatio.toFixed(2)}`);
        process.exit(0);
      }
    },
    (error: unknown) => {
      console.error('micro failed:', error instanceof Error ? error.message : error);
      process.exit(1);
    },
  );
}
