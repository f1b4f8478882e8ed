// The report: per-repetition ratios (to `none` and to `canonical`, always within one repetition, since the machine
// is shared and noisy), issue 18's targets judged on the median of the repetitions, and the Markdown table printed and
// written to bench/results/ next to the JSON.
import type { MemoryResult } from './memory.js';
import type { MicroResult } from './micro.js';

/** One mode in one repetition, as measured. */
export interface HttpRow {
  rep: number;
  mode: string;
  what: string;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  responses2xx: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  wallSeconds: number;
  /** Server process CPU over the window, /proc utime+stime (all threads). */
  serverCpuUsPerReq: number;
  /** The same from the server's own `process.cpuUsage()` (µs resolution), as a cross-check. */
  serverCpuUsPerReqSelf: number;
  /** The server's user-space CPU per request (`process.cpuUsage().user`): its JavaScript, without the kernel's socket work. */
  serverUserUsPerReq: number;
  /** The server's kernel CPU per request (`process.cpuUsage().system`): mostly the socket writes. */
  serverSystemUsPerReq: number;
  /** Server CPU in cores (1.0 = one core busy the whole window). */
  serverCores: number;
  /** The load generator's (this process's) CPU in cores. */
  loadGenCores: number;
  /** Busy CPU of the machine that was neither the server nor the load generator, in cores: the noise. */
  otherCores: number;
  /** Key fetches the key server saw while this app started, plus during this window (warm-up and measured). */
  keyFetches: number;
  /** The library's own count of its key fetches during this server's life. */
  libraryKeyFetches?: number;
  /** The library's validated-token cache counts during the window. */
  cacheHits?: number;
  cacheMisses?: number;
  /** The unique pool ran out and tokens repeated (then some requests were cache hits). */
  poolWrapped?: boolean;
  sanity: { valid: number; noToken: number; badSignature: number };
  loadAvg: string;
}

/** A row with its ratios within its repetition (null when that repetition has no such mode). */
export interface RatedRow extends HttpRow {
  vsNone: number | null;
  vsCanonical: number | null;
  addedCpuUs: number | null;
  /** User-space CPU per request minus `none`'s in the same repetition. */
  addedUserUs: number | null;
  /** p99 latency over `none`'s in the same repetition. */
  p99VsNone: number | null;
  /** Other load in this row's window minus that in `none`'s window, in cores: ratios across unequal noise mislead. */
  noiseVsNone: number | null;
  /** The same against the `canonical` window. */
  noiseVsCanonical: number | null;
}

/** How far apart (in cores of other load) two windows may be before their ratio is marked as unequal noise. */
export const NOISE_MARK_CORES = 0.3;

export interface Target {
  what: string;
  perRep: (number | null)[];
  /** The median of the repetitions' values (the issue judges medians of interleaved repetitions). */
  median: number | null;
  limit: number;
  atLeast: boolean;
  met: boolean | null;
  repsMet: number;
}

export interface BenchReport {
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; model: string; node: string; platform: string; loadAvgStart: string; loadAvgEnd: string };
  settings: Record<string, unknown>;
  /** One signature check (split, base64url, crypto.verify with a KeyObject) in µs, timed before the HTTP modes. */
  signatureUs: { RS256: number; ES256: number };
  http: RatedRow[];
  micro?: MicroResult;
  memory: MemoryResult[];
  targets: Target[];
}

export function rate(rows: HttpRow[]): RatedRow[] {
  return rows.map((row) => {
    const none = rows.find((other) => other.rep === row.rep && other.mode === 'none');
    const canonical = rows.find((other) => other.rep === row.rep && other.mode === 'canonical');
    return {
      ...row,
      vsNone: none ? row.rps / none.rps : null,
      vsCanonical: canonical ? row.rps / canonical.rps : null,
      addedCpuUs: none ? row.serverCpuUsPerReq - none.serverCpuUsPerReq : null,
      addedUserUs: none && row.serverUserUsPerReq !== undefined ? row.serverUserUsPerReq - none.serverUserUsPerReq : null,
      p99VsNone: none && none.p99 > 0 ? row.p99 / none.p99 : null,
      noiseVsNone: none ? row.otherCores - none.otherCores : null,
      noiseVsCanonical: canonical ? row.otherCores - canonical.otherCores : null,
    };
  });
}

/** The median of the known values, `null` when there are none. */
export function medianOf(values: (number | null)[]): number | null {
  const known = values.filter((value): value is number => value !== null).sort((a, b) => a - b);
  if (known.length === 0) return null;
  const middle = Math.floor(known.length / 2);
  return known.length % 2 ? known[middle]! : (known[middle - 1]! + known[middle]!) / 2;
}

/** Issue 18's targets, each judged on the median of the per-repetition values (and counted per repetition). */
export function judge(rows: RatedRow[], micro: MicroResult | undefined, memory: MemoryResult[], signatureUs: { RS256: number; ES256: number }): Target[] {
  const reps = [...new Set(rows.map((row) => row.rep))].sort((a, b) => a - b);
  const targets: Target[] = [];
  const add = (what: string, perRep: (number | null)[], limit: number, atLeast: boolean) => {
    const known = perRep.filter((value): value is number => value !== null);
    const median = medianOf(perRep);
    const ok = (value: number) => (atLeast ? value >= limit : value <= limit);
    targets.push({ what, perRep, median, limit, atLeast, met: median === null ? null : ok(median), repsMet: known.filter(ok).length });
  };
  const http = (mode: string, metric: 'vsNone' | 'addedCpuUs' | 'p99VsNone') =>
    reps.map((rep) => rows.find((row) => row.rep === rep && row.mode === mode)?.[metric] ?? null);
  add('cached req/s ≥ 0.93× none', http('cached', 'vsNone'), 0.93, true);
  add('cached added server CPU ≤ 8 µs/req', http('cached', 'addedCpuUs'), 8, false);
  // The route table: a 1,000-path spec and a 1,000-route app cost what one path costs (issue 12: within 3 %).
  const perRep = (mode: string, base: string) =>
    reps.map((rep) => {
      const row = rows.find((other) => other.rep === rep && other.mode === mode);
      const baseline = rows.find((other) => other.rep === rep && other.mode === base);
      return row && baseline ? row.rps / baseline.rps : null;
    });
  add('cached-1000 req/s ≥ 0.93× none (1,000 spec paths and routes)', http('cached-1000', 'vsNone'), 0.93, true);
  add('cached-1000 req/s ≥ 0.97× cached', perRep('cached-1000', 'cached'), 0.97, true);
  add('verified RS256 req/s ≥ 0.75× none', http('verified-rs256', 'vsNone'), 0.75, true);
  const rsBudget = signatureUs.RS256 + 15;
  add(`verified RS256 added server CPU ≤ one signature + 15 µs (${rsBudget.toFixed(1)} µs/req)`, http('verified-rs256', 'addedCpuUs'), rsBudget, false);
  add('verified ES256 req/s ≥ 0.60× none', http('verified-es256', 'vsNone'), 0.6, true);
  add('unique req/s ≥ 0.60× none', http('unique', 'vsNone'), 0.6, true);
  for (const mode of ['cached', 'cached-1000', 'verified-rs256', 'verified-es256', 'unique']) {
    add(`${mode} p99 latency ≤ 1.2× none's`, http(mode, 'p99VsNone'), 1.2, false);
  }
  const pieces = micro?.cases.find((c) => c.alg === 'RS256' && c.name.startsWith('library pieces'));
  add('micro: library verify path (RS256) ≥ 0.85× raw crypto.verify', pieces ? pieces.ratioPerRound : [null], 0.85, true);
  for (const run of memory) add(`memory (${run.label}): RSS bounded over ${run.tokens} tokens (1 = yes)`, [run.bounded ? 1 : 0], 1, true);
  return targets;
}

const fixed = (value: number | null | undefined, digits: number) => (value === null || value === undefined ? '—' : value.toFixed(digits));
const int = (value: number) => Math.round(value).toLocaleString('en-US');
const mib = (bytes: number) => (bytes / 2 ** 20).toFixed(1);

export function markdown(report: BenchReport): string {
  const { machine, settings } = report;
  const out: string[] = [];
  out.push(`# nestjs-endpoints-auth benchmark — ${report.startedAt}`, '');
  out.push(
    `${machine.cpus} × ${machine.model}, Node ${machine.node}, ${machine.platform}; load average ${machine.loadAvgStart} at the start, ` +
      `${machine.loadAvgEnd} at the end. Nest 12 + ${settings['adapter'] === 'fastify' ? 'Fastify' : 'Express'}, \`GET /hello\` (small JSON) on 127.0.0.1, autocannon in a separate process, ` +
      `${String(settings['connections'])} connections, ${String(settings['warmupSeconds'])} s warm-up then ${String(settings['seconds'])} s measured per mode, ` +
      `${String(settings['reps'])} repetition(s) interleaved. Ratios are within one repetition.`,
    '',
  );
  out.push('## HTTP, per repetition', '');
  out.push(
    '| rep | mode | req/s | × none | × canonical | p50 ms | p99 ms | server CPU µs/req | + µs/req vs none | user µs/req | + user vs none | server cores | other load (cores) | key fetches | cache hits / misses | non-2xx |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
  );
  const unequal = (delta: number | null) => delta !== null && Math.abs(delta) > NOISE_MARK_CORES;
  const mark = (row: RatedRow) => (unequal(row.noiseVsNone) ? ' †' : '');
  const markCanonical = (row: RatedRow) => (unequal(row.noiseVsCanonical) ? ' ‡' : '');
  for (const row of report.http) {
    const cache = row.cacheHits === undefined ? '—' : `${int(row.cacheHits)} / ${int(row.cacheMisses ?? 0)}${row.poolWrapped ? ' (pool wrapped)' : ''}`;
    out.push(
      `| ${row.rep} | ${row.mode} | ${int(row.rps)} | ${fixed(row.vsNone, 2)}${mark(row)} | ${fixed(row.vsCanonical, 2)}${markCanonical(row)} | ${fixed(row.p50, 2)} | ${fixed(row.p99, 2)} | ` +
        `${fixed(row.serverCpuUsPerReq, 1)} | ${row.mode === 'none' ? '—' : `${fixed(row.addedCpuUs, 1)}${mark(row)}`} | ` +
        `${fixed(row.serverUserUsPerReq, 1)} | ${row.mode === 'none' ? '—' : fixed(row.addedUserUs, 1)} | ${fixed(row.serverCores, 2)} | ${fixed(row.otherCores, 2)} | ` +
        `${row.keyFetches} | ${cache} | ${row.non2xx + row.errors} |`,
    );
  }
  out.push(
    '',
    `† / ‡: this window's other load differs from that of its repetition's \`none\` / \`canonical\` window by more than ${NOISE_MARK_CORES} cores, ` +
      'so that ratio compares unequal conditions (CPU per request also shifts with load: a starved server batches more requests per event-loop turn).',
    '',
  );
  const modes = [...new Set(report.http.map((row) => row.mode))];
  if (new Set(report.http.map((row) => row.rep)).size > 1) {
    out.push('## HTTP, median of repetitions (ratios: per repetition → median)', '');
    out.push(
      '| mode | req/s | × none | × canonical | p50 ms | p99 ms | p99 × none | server CPU µs/req | + µs/req vs none | user µs/req | + user vs none |',
      '|---|---:|---|---|---:|---:|---:|---:|---:|---:|---:|',
    );
    for (const mode of modes) {
      const rows = report.http.filter((row) => row.mode === mode);
      const median = (pick: (row: RatedRow) => number | null) => medianOf(rows.map(pick));
      const series = (pick: (row: RatedRow) => number | null) =>
        rows.every((row) => pick(row) === null) ? '—' : `${rows.map((row) => fixed(pick(row), 2)).join(' · ')} → **${fixed(median(pick), 2)}**`;
      out.push(
        `| ${mode} | ${int(median((row) => row.rps) ?? 0)} | ${series((row) => row.vsNone)} | ${series((row) => row.vsCanonical)} | ` +
          `${fixed(median((row) => row.p50), 2)} | ${fixed(median((row) => row.p99), 2)} | ${mode === 'none' ? '—' : fixed(median((row) => row.p99VsNone), 2)} | ` +
          `${fixed(median((row) => row.serverCpuUsPerReq), 1)} | ${mode === 'none' ? '—' : fixed(median((row) => row.addedCpuUs), 1)} | ` +
          `${fixed(median((row) => row.serverUserUsPerReq), 1)} | ${mode === 'none' ? '—' : fixed(median((row) => row.addedUserUs), 1)} |`,
      );
    }
    out.push('');
  }
  out.push('Modes:', '');
  for (const mode of modes) out.push(`* \`${mode}\`: ${report.http.find((row) => row.mode === mode)!.what}`);
  out.push('');

  out.push(
    `## Targets (issue 18; judged on the median of the repetitions; one signature check timed before the load: RS256 ${fixed(report.signatureUs?.RS256, 1)} µs, ES256 ${fixed(report.signatureUs?.ES256, 1)} µs)`,
    '',
  );
  out.push('| target | per repetition | median | met |', '|---|---|---:|---|');
  for (const target of report.targets) {
    const digits = target.limit >= 10 ? 1 : 2;
    const verdict = target.met === null ? 'not measured' : `${target.met ? '**met**' : '**missed**'} (${target.repsMet}/${target.perRep.filter((v) => v !== null).length})`;
    out.push(`| ${target.what} | ${target.perRep.map((value) => fixed(value, digits)).join(' · ')} | ${fixed(target.median, digits)} | ${verdict} |`);
  }
  out.push('');

  if (report.micro) {
    const micro = report.micro;
    out.push(
      `## Micro-benchmark (one core, in-process; ${micro.rounds} interleaved rounds of ${micro.secondsPerCase} s per case after ${micro.warmupSeconds} s warm-up; ` +
        `tokens: RS256 ${micro.tokenChars.RS256} chars, ES256 ${micro.tokenChars.ES256} chars)`,
      '',
    );
    out.push('| alg | case | ops/s (median) | µs/op | × raw crypto.verify (per round → median) |', '|---|---|---:|---:|---|');
    for (const c of micro.cases) {
      out.push(
        `| ${c.alg} | ${c.name} | ${int(c.medianOps)} | ${c.usPerOp.toFixed(1)} | ${c.ratioPerRound.map((value) => value.toFixed(2)).join(' · ')} → **${c.medianRatio.toFixed(2)}** |`,
      );
    }
    out.push('', `Token-cache counters after the micro run: ${micro.tokenCounts.hits} hits, ${micro.tokenCounts.misses} misses.`, '');
  }

  if (report.memory.length > 0) {
    out.push('## Memory: distinct valid tokens through the validated-token cache (HS256, padded to the RS256 token length)', '');
    out.push(
      '| config | tokens | token chars | maxEntries | maxBytes MiB | entries at end | cache estimate MiB | retained heap MiB | bytes/entry (real) | baseline RSS MiB | peak RSS MiB | final RSS MiB | bounded | seconds |',
      '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---:|',
    );
    for (const run of report.memory) {
      out.push(
        `| ${run.label} | ${int(run.tokens)} | ${run.tokenChars} | ${int(run.configured.maxEntries)} | ${mib(run.configured.maxBytes)} | ${int(run.final.cacheEntries)} | ` +
          `${mib(run.estimatedBytes)} | ${mib(run.final.heapUsed - run.baseline.heapUsed)} | ${int(run.retainedBytesPerEntry)} | ${mib(run.baseline.rss)} | ` +
          `${mib(run.peakRss)} | ${mib(run.final.rss)} | ${run.bounded ? 'yes' : '**no**'} | ${run.seconds.toFixed(1)} |`,
      );
    }
    for (const run of report.memory) {
      const quarter = run.samples.filter((_, i) => (i + 1) % Math.max(1, Math.floor(run.samples.length / 4)) === 0);
      out.push('', `RSS over the ${run.label} run (MiB at tokens): ${quarter.map((s) => `${mib(s.rss)} @ ${int(s.tokens)}`).join(', ')}.`);
    }
    out.push('');
  }
  const loadGen = Math.max(0, ...report.http.map((row) => row.loadGenCores));
  const other = report.http.map((row) => row.otherCores);
  out.push(
    `The load generator used at most ${loadGen.toFixed(2)} cores; other work on the machine took ${Math.min(...other).toFixed(2)}–${Math.max(...other).toFixed(2)} cores during the windows.`,
    '',
  );
  out.push(
    '`server CPU µs/req` is the server process\'s utime+stime (all threads, from /proc) over the measured window divided by the 2xx responses; ' +
      '`user µs/req` its user-space part alone (`process.cpuUsage().user`: the JavaScript, without the kernel\'s socket writes, which grow as the server slows and the load generator waits more often); ' +
      '`other load` is the machine\'s busy CPU that was neither the server nor the load generator during the window (other users of the machine); ' +
      '`key fetches` are the key server\'s fetch count over each server\'s whole life.',
    '',
  );
  return out.join('\n');
}
