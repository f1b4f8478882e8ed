// `npm run soak`: the app (soak-server.ts, its own process) under full load for a minute with the mix a real API sees
// (soak-mix.ts): repeated and fresh valid tokens, expired, wrong audience, garbage, unknown kids, no token, bad
// signatures; midway the key server (key-server.ts, its own process) starts serving a new key, whose tokens must then
// pass, and later fails for 10 s (503, then connection refused), while tokens of known keys must keep passing. The
// load (autocannon, this process) knows the status each request must get; the server counts what must never happen
// and samples RSS and the event loop's delay. Prints the checks and writes bench/results/soak-<timestamp>.json and
// .md and soak-latest.md; exits 1 when a check fails. Knobs (flags, or SOAK_* environment variables):
//   --seconds 60 --warmup 15 --connections 64 --adapter express|fastify --rotate-at <s> --outage-at <s>
//   --outage-seconds 10 --key-ttl 5 --pool 20000 --no-write --json-file <path> --expect-wrong <kind>
// Quick look: npm run soak -- --seconds 15
import { writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { type ChildProcess } from 'node:child_process';
import { ask, forkScript, killAllStarted, nextMessage, stopChild } from './children.js';
import type { KeyServerMessage, Outage } from './key-server.js';
import { CATEGORIES, type Category, EXPECTED, Mix, type MixState, smallSets } from './soak-mix.js';
import { soakLoad } from './soak-load.js';
import { type SoakReport, type SoakTimeline, soakChecks, soakMarkdown } from './soak-report.js';
import type { SoakServerMessage, SoakServerReport } from './soak-server.js';
import { mintPool } from './token-pool.js';
import { makeKey } from './tokens.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// dist-bench/bench/soak.js → <repo>/bench/results
const RESULTS_DIR = path.resolve(here, '..', '..', 'bench', 'results');

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: process.env['SOAK_SECONDS'] ?? '60' },
    warmup: { type: 'string', default: process.env['SOAK_WARMUP'] ?? '15' },
    connections: { type: 'string', default: process.env['SOAK_CONNECTIONS'] ?? '64' },
    adapter: { type: 'string', default: process.env['SOAK_ADAPTER'] ?? 'express' },
    'rotate-at': { type: 'string', default: process.env['SOAK_ROTATE_AT'] },
    'outage-at': { type: 'string', default: process.env['SOAK_OUTAGE_AT'] },
    'outage-seconds': { type: 'string', default: process.env['SOAK_OUTAGE_SECONDS'] },
    'key-ttl': { type: 'string', default: process.env['SOAK_KEY_TTL'] ?? '5' },
    pool: { type: 'string', default: process.env['SOAK_POOL'] ?? '20000' },
    'expect-wrong': { type: 'string' },
    'json-file': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});

const seconds = positive('seconds', flags.seconds);
const settings = {
  seconds,
  warmup: nonNegative('warmup', flags.warmup),
  connections: positive('connections', flags.connections),
  adapter: oneOf('adapter', flags.adapter, ['express', 'fastify']),
  // After the warm-up: the rotation a third in, the outage from half-way, 10 s or a quarter of a short run.
  rotateAt: flags['rotate-at'] === undefined ? seconds / 3 : nonNegative('rotate-at', flags['rotate-at']),
  outageAt: flags['outage-at'] === undefined ? seconds / 2 : nonNegative('outage-at', flags['outage-at']),
  outageSeconds: flags['outage-seconds'] === undefined ? Math.min(10, seconds / 4) : nonNegative('outage-seconds', flags['outage-seconds']),
  keyTtlSeconds: positive('key-ttl', flags['key-ttl']),
  pool: positive('pool', flags.pool),
  expectWrong: flags['expect-wrong'] === undefined ? undefined : (oneOf('expect-wrong', flags['expect-wrong'], CATEGORIES) as Category),
};

function positive(name: string, value: string | undefined): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`--${name} must be a positive number, not "${value}"`);
  return number;
}

function nonNegative(name: string, value: string | undefined): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number < 0) throw new Error(`--${name} must be a number ≥ 0, not "${value}"`);
  return number;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!allowed.includes(value as T)) throw new Error(`--${name} must be one of ${allowed.join(', ')}, not "${value}"`);
  return value as T;
}

const log = (line: string) => process.stderr.write(`[soak] ${line}\n`);
const loadAvg = () => os.loadavg().map((value) => value.toFixed(2)).join(' ');

async function main(): Promise<boolean> {
  const startedAt = new Date();
  const loadAvgStart = loadAvg();
  log(`${os.cpus().length} CPUs, load average ${loadAvgStart}; ${JSON.stringify(settings)}`);

  const first = makeKey('RS256', 'soak-rsa-1');
  const es256 = makeKey('ES256', 'soak-ec-1');
  const second = makeKey('RS256', 'soak-rsa-2');
  const unpublished = makeKey('RS256', 'soak-unpublished');
  const issuedAt = Math.floor(Date.now() / 1000);
  const began = performance.now();
  const threads = Math.max(1, os.cpus().length);
  const rotatedCount = Math.max(500, Math.ceil(settings.pool / 4));
  const tokens = {
    ...smallSets(first, es256, unpublished, issuedAt),
    fresh: await mintPool(first, settings.pool, threads),
    rotated: await mintPool(second, rotatedCount, threads),
  };
  log(`minted ${settings.pool} + ${rotatedCount} distinct RS256 tokens in ${((performance.now() - began) / 1000).toFixed(1)} s`);

  const jwks = (keys: (typeof first)[]) => JSON.stringify({ keys: keys.map((key) => key.jwk) });
  const keyServer = forkScript('./key-server.js', [], { env: { BENCH_JWKS: jwks([first, es256]) } });
  let server: ChildProcess | undefined;
  try {
    const { url: jwksUri } = await nextMessage<Extract<KeyServerMessage, { type: 'ready' }>>(keyServer, 'ready', 10_000);
    server = forkScript('./soak-server.js', [settings.adapter, String(settings.keyTtlSeconds)], {
      env: { BENCH_JWKS_URI: jwksUri },
      execArgv: ['--expose-gc'],
    });
    const { port } = await nextMessage<Extract<SoakServerMessage, { type: 'ready' }>>(server, 'ready', 60_000);
    const url = `http://127.0.0.1:${port}/hello`;
    const sanity = await status(url, tokens.repeated[0]);
    if (sanity !== 200) throw new Error(`sanity check failed: a valid token got ${sanity}`);

    const state: MixState = { rotated: false, rotatedSetServed: false };
    const mix = new Mix(tokens, state, settings.expectWrong);
    const timeline: SoakTimeline = {};
    let loadStart = 0;
    const now = () => (performance.now() - loadStart) / 1000;
    keyServer.on('message', (message: KeyServerMessage) => {
      if (message.type === 'served' && message.version >= 2 && !state.rotatedSetServed) {
        state.rotatedSetServed = true;
        timeline.rotatedSetServed = now();
      }
    });

    // The schedule, in this process's clock from the load's start; each step waits for its child's acknowledgement.
    const steps: { at: number; run: () => Promise<void> }[] = [
      {
        at: settings.warmup,
        run: async () => {
          await ask(server!, 'mark', 30_000);
          timeline.mark = now();
        },
      },
    ];
    const rotation = settings.rotateAt < settings.seconds;
    if (rotation) {
      steps.push({
        at: settings.warmup + settings.rotateAt,
        run: async () => {
          await ask(keyServer, 'jwks', 5000, { body: jwks([first, es256, second]) });
          state.rotated = true;
          timeline.rotated = now();
        },
      });
    }
    const outage = settings.outageSeconds > 0 && settings.outageAt < settings.seconds;
    if (outage) {
      const setOutage = (to: Outage, field: keyof SoakTimeline) => async () => {
        await ask(keyServer, 'outage', 5000, { outage: to });
        timeline[field] = now();
      };
      const from = settings.warmup + settings.outageAt;
      steps.push({ at: from, run: setOutage('503', 'outage503') });
      steps.push({ at: from + settings.outageSeconds / 2, run: setOutage('refused', 'outageRefused') });
      steps.push({ at: Math.min(from + settings.outageSeconds, settings.warmup + settings.seconds), run: setOutage('none', 'outageOver') });
    }
    let scheduleError: unknown;
    const schedule = steps
      .sort((a, b) => a.at - b.at)
      .reduce<Promise<void>>(
        (previous, step) => previous.then(() => new Promise((resolve) => setTimeout(resolve, Math.max(0, step.at - now()) * 1000)).then(step.run)),
        Promise.resolve(),
      )
      .catch((error: unknown) => (scheduleError = error));

    loadStart = performance.now();
    const load = await soakLoad({ url, connections: settings.connections, seconds: settings.warmup + settings.seconds, mix });
    await schedule;
    if (scheduleError) throw scheduleError;
    const { type: _type, ...serverReport } = await ask<Extract<SoakServerMessage, { type: 'report' }>>(server, 'report', 60_000);
    const keyCounts = await ask<Extract<KeyServerMessage, { type: 'counts' }>>(keyServer, 'counts');

    const checks = soakChecks(load, serverReport as SoakServerReport, timeline, { rotation, outage });
    const expected = Object.fromEntries(CATEGORIES.map((category) => [category, EXPECTED[category] + (category === settings.expectWrong ? 1 : 0)]));
    const report: SoakReport = {
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.version, platform: `${os.type()} ${os.release()}`, loadAvgStart, loadAvgEnd: loadAvg() },
      settings: { ...settings, expected },
      timeline,
      load,
      poolUse: { ...mix.poolUse(), freshPool: tokens.fresh.count, rotatedPool: tokens.rotated.count } as SoakReport['poolUse'],
      server: serverReport as SoakServerReport,
      keyServer: { fetches: keyCounts.fetches, failed503: keyCounts.failed, versionServed: keyCounts.version },
      checks,
      pass: checks.every((check) => check.pass),
    };
    const table = soakMarkdown(report);
    process.stdout.write(`\n${table}\n`);
    if (flags['json-file']) writeFileSync(flags['json-file'], `${JSON.stringify(report, null, 2)}\n`);
    if (!flags['no-write']) {
      mkdirSync(RESULTS_DIR, { recursive: true });
      const stamp = report.startedAt.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
      writeFileSync(path.join(RESULTS_DIR, `soak-${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
      writeFileSync(path.join(RESULTS_DIR, `soak-${stamp}.md`), `${table}\n`);
      writeFileSync(path.join(RESULTS_DIR, 'soak-latest.md'), `${table}\n`);
      log(`wrote ${path.relative(process.cwd(), path.join(RESULTS_DIR, `soak-${stamp}`))}.{json,md} and soak-latest.md`);
    }
    return report.pass;
  } finally {
    if (server) await stopChild(server);
    await stopChild(keyServer);
  }
}

/** The status of one request with `token` (the body is read and dropped). */
async function status(url: string, token: string): Promise<number> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  await response.arrayBuffer();
  return response.status;
}

process.on('SIGINT', () => {
  killAllStarted();
  process.exit(130);
});
main().then(
  (pass) => {
    if (!pass) log('FAILED: see the checks above');
    process.exit(pass ? 0 : 1);
  },
  (error: unknown) => {
    console.error('[soak] failed:', error instanceof Error ? error.message : error);
    killAllStarted();
    process.exit(2);
  },
);
