// `npm run bench`: the whole benchmark in one run. Starts the key server, mints the unique-token pool, runs the
// micro-benchmark and the memory run (each in a child process), then starts the app once per mode, checks it answers
// 200/401 as it should, and for every repetition rotates over the live apps (A B C … A B C), warming each up and
// loading it with autocannon from this process while sampling the server's CPU. Writes bench/results/<timestamp>.json
// and .md and latest.md, and prints the table. Knobs (flags, or BENCH_* environment variables):
//   --seconds 5 --reps 5 --connections 64 --warmup 1 --modes none,noop,canonical,cached,verified-rs256,verified-es256,unique
//   --adapter express|fastify --spin-us 3 (the `spin` mode's guard)
//   --micro-seconds 1 --micro-rounds 5 --skip-micro --memory-tokens 1000000 --memory-configs default,large --skip-memory
//   --pool <tokens> (default: enough for 15k req/s over warm-up + window) --profile <mode,…> (server --cpu-prof)
//   --no-write (print only)
// Quick smoke: npm run bench -- --seconds 2 --reps 1
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { type ChildProcess } from 'node:child_process';
import { ask, forkScript, killAllStarted, nextMessage, stopChild } from './children.js';
import type { KeyServerMessage } from './key-server.js';
import { load, machineCpuUs, processCpuUs } from './load.js';
import type { MemoryResult } from './memory.js';
import type { MicroResult } from './micro.js';
import { MODES, type ModeSpec, modeNamed } from './modes.js';
import { type BenchReport, type HttpRow, type RatedRow, judge, markdown, medianOf, rate } from './report.js';
import type { ServerMessage } from './server.js';
import { type TokenPool, mintPool, tokenAt } from './token-pool.js';
import { signatureCostUs } from './signature-cost.js';
import { benchClaims, jwksOf, makeKeys, signWith, tamperSignature } from './tokens.js';
import { type CpuProfile, categoriseProfile, diffProfiles, summariseProfile } from './cpu-profile.js';

const here = path.dirname(fileURLToPath(import.meta.url));
// dist-bench/bench/run.js → <repo>/bench/results
const RESULTS_DIR = path.resolve(here, '..', '..', 'bench', 'results');
const PROFILE_DIR = path.join(RESULTS_DIR, 'profiles');

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: process.env['BENCH_SECONDS'] ?? '5' },
    reps: { type: 'string', default: process.env['BENCH_REPS'] ?? '5' },
    connections: { type: 'string', default: process.env['BENCH_CONNECTIONS'] ?? '64' },
    warmup: { type: 'string', default: process.env['BENCH_WARMUP'] ?? '1' },
    modes: { type: 'string', default: process.env['BENCH_MODES'] ?? MODES.map((mode) => mode.name).join(',') },
    'micro-seconds': { type: 'string', default: process.env['BENCH_MICRO_SECONDS'] ?? '1' },
    'micro-rounds': { type: 'string', default: process.env['BENCH_MICRO_ROUNDS'] ?? '5' },
    'skip-micro': { type: 'boolean', default: process.env['BENCH_SKIP_MICRO'] === '1' },
    'memory-tokens': { type: 'string', default: process.env['BENCH_MEMORY_TOKENS'] ?? '1000000' },
    'memory-configs': { type: 'string', default: process.env['BENCH_MEMORY_CONFIGS'] ?? 'default,large' },
    'skip-memory': { type: 'boolean', default: process.env['BENCH_SKIP_MEMORY'] === '1' },
    pool: { type: 'string', default: process.env['BENCH_POOL'] },
    profile: { type: 'string', default: process.env['BENCH_PROFILE'] ?? '' },
    'no-write': { type: 'boolean', default: false },
    adapter: { type: 'string', default: process.env['BENCH_ADAPTER'] ?? 'express' },
    'spin-us': { type: 'string', default: process.env['BENCH_SPIN_US'] ?? '3' },
    before: { type: 'string', default: process.env['BENCH_BEFORE'] },
  },
});

const settings = {
  seconds: positive('seconds', flags.seconds),
  reps: positive('reps', flags.reps),
  connections: positive('connections', flags.connections),
  warmupSeconds: Number(flags.warmup),
  modes: flags.modes.split(',').filter(Boolean).map((name) => modeNamed(name.trim()).name),
  microSeconds: positive('micro-seconds', flags['micro-seconds']),
  microRounds: positive('micro-rounds', flags['micro-rounds']),
  memoryTokens: positive('memory-tokens', flags['memory-tokens']),
  memoryConfigs: flags['skip-memory'] ? [] : flags['memory-configs'].split(',').filter(Boolean),
  profile: flags.profile.split(',').filter(Boolean).map((name) => modeNamed(name.trim()).name),
  adapter: adapterNamed(flags.adapter),
  spinUs: positive('spin-us', flags['spin-us']),
  /** Another build's dist-bench/bench folder (e.g. the previous commit's): its library modes run beside this one's. */
  before: flags.before ? path.resolve(flags.before) : undefined,
};

/** The HTTP platform every mode's app runs on: Express (the default) or Fastify, to report both sets of ratios. */
function adapterNamed(name: string): 'express' | 'fastify' {
  if (name === 'express' || name === 'fastify') return name;
  throw new Error(`--adapter must be express or fastify, got "${name}"`);
}

/** The memory run's cache configurations: the library's defaults, and a large one where maxBytes is what binds. */
const MEMORY_CONFIGS: Record<string, string[]> = {
  default: [],
  large: ['--max-entries', '100000', '--max-bytes', String(128 * 2 ** 20)],
};

function positive(name: string, value: string | undefined): number {
  const number = Number(value);
  if (!Number.isFinite(number) || number <= 0) throw new Error(`--${name} must be a positive number, not "${value}"`);
  return number;
}

const log = (line: string) => process.stderr.write(`[bench] ${line}\n`);
const loadAvg = () => os.loadavg().map((value) => value.toFixed(2)).join(' ');

async function main(): Promise<void> {
  const startedAt = new Date();
  const loadAvgStart = loadAvg();
  log(`${os.cpus().length} CPUs, load average ${loadAvgStart}; ${JSON.stringify(settings)}`);

  // A profiled mode's older profiles would be summarised with this run's.
  if (settings.profile.length > 0) {
    mkdirSync(PROFILE_DIR, { recursive: true });
    for (const file of readdirSync(PROFILE_DIR)) if (settings.profile.some((mode) => file.startsWith(`${mode}-rep`))) rmSync(path.join(PROFILE_DIR, file));
  }

  const keys = makeKeys();
  const issuedAt = Math.floor(Date.now() / 1000);
  // Serials far above the pool's, so no constant token is also a pool token.
  const constant = { RS256: signWith(keys.RS256, benchClaims(999_999_999, issuedAt)), ES256: signWith(keys.ES256, benchClaims(999_999_998, issuedAt)) };

  let pool: TokenPool | undefined;
  if (settings.modes.includes('unique')) {
    const count = flags.pool ? positive('pool', flags.pool) : Math.ceil(15_000 * (settings.warmupSeconds + settings.seconds));
    const began = performance.now();
    pool = await mintPool(keys.RS256, count, Math.max(1, os.cpus().length));
    log(`minted ${count} distinct RS256 tokens (${pool.length} chars) in ${((performance.now() - began) / 1000).toFixed(1)} s`);
  }

  let micro: MicroResult | undefined;
  if (!flags['skip-micro']) {
    log(`micro-benchmark: ${settings.microRounds} rounds × ${settings.microSeconds} s per case`);
    const child = forkScript('./micro.js', ['--seconds', String(settings.microSeconds), '--rounds', String(settings.microRounds)]);
    micro = (await nextMessage<{ type: 'micro'; result: MicroResult }>(child, 'micro', 15 * 60_000)).result;
    await stopChild(child);
  }

  const memory: MemoryResult[] = [];
  for (const config of settings.memoryConfigs) {
    const extra = MEMORY_CONFIGS[config];
    if (!extra) throw new Error(`unknown memory config "${config}" (known: ${Object.keys(MEMORY_CONFIGS).join(', ')})`);
    log(`memory: ${settings.memoryTokens} distinct tokens through the cache (${config})`);
    const child = forkScript('./memory.js', ['--tokens', String(settings.memoryTokens), '--label', config, ...extra], { execArgv: ['--expose-gc'] });
    memory.push((await nextMessage<{ type: 'memory'; result: MemoryResult }>(child, 'memory', 20 * 60_000)).result);
    await stopChild(child);
  }

  // Issue 18's budget for a verified request: one signature check (timed here, before any load) plus 15 µs.
  const signatureUs = { RS256: signatureCostUs(constant.RS256, keys.RS256), ES256: signatureCostUs(constant.ES256, keys.ES256) };
  log(`one signature check: RS256 ${signatureUs.RS256.toFixed(1)} µs, ES256 ${signatureUs.ES256.toFixed(1)} µs`);

  const keyServer = forkScript('./key-server.js', [], { env: { BENCH_JWKS: JSON.stringify(jwksOf(keys)) } });
  const { url: jwksUri } = await nextMessage<Extract<KeyServerMessage, { type: 'ready' }>>(keyServer, 'ready', 10_000);
  const rows: HttpRow[] = [];
  // Every mode's app is started once and kept: the repetitions then rotate the load over live, warm servers (A B C …
  // A B C), so a window is short and a slow spell of the shared machine falls on neighbouring modes alike.
  const servers: ModeServer[] = [];
  try {
    for (const name of settings.modes) {
      const mode = modeNamed(name);
      servers.push(await startMode(mode, keyServer, jwksUri, constant));
      // --before: the other build's app of the same library mode, measured right after this build's.
      if (settings.before && mode.guard === 'library') servers.push(await startMode(mode, keyServer, jwksUri, constant, settings.before));
    }
    for (let rep = 1; rep <= settings.reps; rep++) {
      for (const server of servers) {
        const row = await measureMode(rep, server, keyServer, pool);
        rows.push(row);
        log(
          `rep ${rep} ${row.mode.padEnd(22)} ${Math.round(row.rps).toString().padStart(6)} req/s  p50 ${row.p50.toFixed(2)} p99 ${row.p99.toFixed(2)} ms  ` +
            `${row.serverCpuUsPerReq.toFixed(1)} µs/req (user ${row.serverUserUsPerReq.toFixed(1)})  other load ${row.otherCores.toFixed(2)} cores`,
        );
      }
    }
  } finally {
    for (const server of servers) await stopChild(server.child);
    await stopChild(keyServer);
  }

  const http = rate(rows);
  const report: BenchReport = {
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    machine: { cpus: os.cpus().length, model: os.cpus()[0]?.model.trim() ?? 'unknown', node: process.version, platform: `${os.type()} ${os.release()}`, loadAvgStart, loadAvgEnd: loadAvg() },
    settings: { ...settings, poolTokens: pool?.count ?? 0 },
    signatureUs,
    http,
    micro,
    memory,
    targets: judge(http, micro, memory, signatureUs),
  };
  let table = markdown(report);
  for (const mode of settings.profile) table += profileSection(mode);
  if (settings.profile.includes('noop')) {
    for (const mode of settings.profile) if (mode !== 'noop' && mode !== 'none') table += addedTimeSection(mode, http);
  }
  process.stdout.write(`\n${table}\n`);
  if (!flags['no-write']) {
    mkdirSync(RESULTS_DIR, { recursive: true });
    const stamp = report.startedAt.replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z');
    writeFileSync(path.join(RESULTS_DIR, `${stamp}.json`), `${JSON.stringify(report, null, 2)}\n`);
    writeFileSync(path.join(RESULTS_DIR, `${stamp}.md`), `${table}\n`);
    writeFileSync(path.join(RESULTS_DIR, 'latest.md'), `${table}\n`);
    log(`wrote ${path.relative(process.cwd(), path.join(RESULTS_DIR, stamp))}.{json,md} and latest.md`);
  }
}

/** A mode's app, started and checked, kept for every repetition. */
interface ModeServer {
  mode: ModeSpec;
  /** The row's name: the mode's, with ` (before)` for the --before build's app. */
  label: string;
  child: ChildProcess;
  pid: number;
  url: string;
  /** The token every request of the mode carries (the pool's next one for `unique`). */
  validToken: string;
  sanity: HttpRow['sanity'];
  /** Key fetches the key server saw while this app started and answered the sanity check. */
  startupKeyFetches: number;
}

/** Starts a mode's app and checks it answers 200, and 401 to no token and to a bad signature where it must refuse. */
async function startMode(
  mode: ModeSpec,
  keyServer: ChildProcess,
  jwksUri: string,
  constant: { RS256: string; ES256: string },
  beforeDir?: string,
): Promise<ModeServer> {
  const fetchesBefore = (await ask<Extract<KeyServerMessage, { type: 'counts' }>>(keyServer, 'counts')).fetches;
  const profiling = settings.profile.includes(mode.name) && !beforeDir;
  let script = './server.js';
  if (beforeDir) {
    script = path.join(beforeDir, 'server.js');
    if (!existsSync(script)) throw new Error(`--before: no server.js in ${beforeDir} (build that checkout with tsc -p tsconfig.bench.json)`);
    script = pathToFileURL(script).href;
  }
  const label = beforeDir ? `${mode.name} (before)` : mode.name;
  const child = forkScript(script, [mode.name, settings.adapter], {
    env: { BENCH_JWKS_URI: jwksUri, BENCH_SPIN_US: String(settings.spinUs) },
    // One profile over every repetition of the mode (written when the server stops).
    execArgv: profiling ? ['--cpu-prof', `--cpu-prof-dir=${PROFILE_DIR}`, `--cpu-prof-name=${mode.name}-reps.cpuprofile`] : [],
  });
  const { port, pid } = await nextMessage<Extract<ServerMessage, { type: 'ready' }>>(child, 'ready', 30_000);
  const url = `http://127.0.0.1:${port}/hello`;
  const validToken = mode.token === 'ES256' ? constant.ES256 : constant.RS256;
  const sanity = {
    valid: await status(url, validToken, true),
    noToken: await status(url, undefined),
    badSignature: await status(url, tamperSignature(validToken)),
  };
  const refused = mode.refuses ? 401 : 200;
  if (sanity.valid !== 200 || sanity.noToken !== refused || sanity.badSignature !== refused) {
    await stopChild(child);
    throw new Error(`mode ${label}: sanity check failed (valid ${sanity.valid}, no token ${sanity.noToken}, bad signature ${sanity.badSignature}; want 200/${refused}/${refused})`);
  }
  const fetchesAfter = (await ask<Extract<KeyServerMessage, { type: 'counts' }>>(keyServer, 'counts')).fetches;
  return { mode, label, child, pid, url, validToken, sanity, startupKeyFetches: fetchesAfter - fetchesBefore };
}

/** One mode in one repetition: warm the live app up, then measure a window while reading its CPU. */
async function measureMode(rep: number, server: ModeServer, keyServer: ChildProcess, pool: TokenPool | undefined): Promise<HttpRow> {
  const { mode, label, child, pid, url } = server;
  const fetchesBefore = (await ask<Extract<KeyServerMessage, { type: 'counts' }>>(keyServer, 'counts')).fetches;
  // Each window walks the pool from its start: the cache (LRU) has long dropped the tokens a window began with.
  let next = 0;
  const token = mode.token === 'pool' ? () => tokenAt(pool!, next++) : server.validToken;
  if (settings.warmupSeconds > 0) await load({ url, connections: settings.connections, seconds: settings.warmupSeconds, token });

  const statsBefore = await ask<Extract<ServerMessage, { type: 'stats' }>>(child, 'stats');
  const machineBefore = machineCpuUs();
  const selfBefore = process.cpuUsage();
  const cpuBefore = processCpuUs(pid);
  const result = await load({ url, connections: settings.connections, seconds: settings.seconds, token });
  const cpuAfter = processCpuUs(pid);
  const selfAfter = process.cpuUsage(selfBefore);
  const machineAfter = machineCpuUs();
  const statsAfter = await ask<Extract<ServerMessage, { type: 'stats' }>>(child, 'stats');

  const serverCpu = cpuAfter - cpuBefore;
  const selfCpu = selfAfter.user + selfAfter.system;
  const windowUs = result.wallSeconds * 1e6;
  const served = Math.max(1, result.responses2xx);
  const userCpu = statsAfter.cpuUserUs - statsBefore.cpuUserUs;
  const systemCpu = statsAfter.cpuSystemUs - statsBefore.cpuSystemUs;
  const fetchesAfter = (await ask<Extract<KeyServerMessage, { type: 'counts' }>>(keyServer, 'counts')).fetches;
  return {
    rep,
    mode: label,
    what: label === mode.name ? mode.what : `${mode.what}; the --before build (${settings.before})`,
    ...result,
    serverCpuUsPerReq: serverCpu / served,
    serverCpuUsPerReqSelf: (userCpu + systemCpu) / served,
    serverUserUsPerReq: userCpu / served,
    serverSystemUsPerReq: systemCpu / served,
    serverCores: serverCpu / windowUs,
    loadGenCores: selfCpu / windowUs,
    otherCores: Math.max(0, machineAfter.busy - machineBefore.busy - serverCpu - selfCpu) / windowUs,
    keyFetches: server.startupKeyFetches + fetchesAfter - fetchesBefore,
    libraryKeyFetches: statsAfter.keys?.fetches,
    cacheHits: mode.tokenCache && statsAfter.tokens && statsBefore.tokens ? statsAfter.tokens.hits - statsBefore.tokens.hits : undefined,
    cacheMisses: mode.tokenCache && statsAfter.tokens && statsBefore.tokens ? statsAfter.tokens.misses - statsBefore.tokens.misses : undefined,
    poolWrapped: mode.token === 'pool' ? next > pool!.count : undefined,
    sanity: server.sanity,
    loadAvg: loadAvg(),
  };
}

/** The status of one request (the body is read, and for a 200 must be the handler's JSON). */
async function status(url: string, token: string | undefined, expectJson = false): Promise<number> {
  const response = await fetch(url, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  const body = await response.text();
  if (expectJson && response.status === 200 && (JSON.parse(body) as { hello?: string }).hello !== 'world') {
    throw new Error(`unexpected body from ${url}`);
  }
  return response.status;
}

/**
 * Where `mode`'s added time per request goes, against `noop` (a guard that does nothing): both servers' profiles
 * over every repetition, each scaled to its median server CPU per request.
 */
function addedTimeSection(mode: string, rows: RatedRow[]): string {
  const usPerReq = (name: string) => medianOf(rows.filter((row) => row.mode === name).map((row) => row.serverCpuUsPerReq)) ?? 0;
  const read = (name: string) => JSON.parse(readFileSync(path.join(PROFILE_DIR, `${name}-reps.cpuprofile`), 'utf8')) as CpuProfile;
  const { categories, frames } = diffProfiles(read('noop'), usPerReq('noop'), read(mode), usPerReq(mode), 25);
  const lines = [
    '',
    `## Where \`${mode}\` spends more than \`noop\` (µs per request, self time; profiles scaled to each mode's median server CPU per request, slower under the profiler)`,
    '',
    '| where | noop | ' + mode + ' | + |',
    '|---|---:|---:|---:|',
  ];
  for (const entry of categories) lines.push(`| ${entry.name} | ${entry.baseUs.toFixed(2)} | ${entry.otherUs.toFixed(2)} | ${entry.deltaUs.toFixed(2)} |`);
  lines.push('', '| frame | noop | ' + mode + ' | + |', '|---|---:|---:|---:|');
  for (const entry of frames) lines.push(`| ${entry.name} | ${entry.baseUs.toFixed(2)} | ${entry.otherUs.toFixed(2)} | ${entry.deltaUs.toFixed(2)} |`);
  lines.push('');
  return lines.join('\n');
}

/** The top self-time frames of the profiles written for `mode`, as a Markdown section. */
function profileSection(mode: string): string {
  const files = readdirSync(PROFILE_DIR).filter((file) => file.startsWith(`${mode}-rep`) && file.endsWith('.cpuprofile'));
  const lines = ['', `## CPU profile of the server in \`${mode}\` (--cpu-prof; these repetitions ran slower under the profiler)`, ''];
  for (const file of files.sort()) {
    const profile = JSON.parse(readFileSync(path.join(PROFILE_DIR, file), 'utf8')) as CpuProfile;
    lines.push(`${file}, self time by where the code lives:`, '', '| self % | self ms | where |', '|---:|---:|---|');
    for (const entry of categoriseProfile(profile)) lines.push(`| ${entry.selfPercent.toFixed(1)} | ${entry.selfMs.toFixed(0)} | ${entry.category} |`);
    lines.push('', `${file}, top self-time frames:`, '', '| self % | self ms | function | where |', '|---:|---:|---|---|');
    const frames = summariseProfile(profile, 25);
    for (const frame of frames) lines.push(`| ${frame.selfPercent.toFixed(1)} | ${frame.selfMs.toFixed(0)} | ${frame.functionName} | ${frame.where} |`);
    lines.push('');
  }
  return lines.join('\n');
}

process.on('SIGINT', () => {
  killAllStarted();
  process.exit(130);
});
main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error('[bench] failed:', error instanceof Error ? error.message : error);
    killAllStarted();
    process.exit(1);
  },
);
