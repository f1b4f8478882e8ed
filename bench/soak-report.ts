// The soak's verdict and its Markdown: every check with its rule, its measured value and pass/fail, the per-kind
// tally, memory and event-loop delay. The rules are here, in one place, so the report states exactly what was judged.
import { CATEGORIES, type Category } from './soak-mix.js';
import type { CategoryTally, SoakLoadResult } from './soak-load.js';
import type { SoakServerReport } from './soak-server.js';

const MiB = 2 ** 20;

/**
 * RSS after warm-up may end at most 25 % + 32 MiB above where it started. After warm-up everything the library keeps
 * is at its bound (the validated-token cache is full: ≤ 1 000 entries / 8 MiB; the key set, route table and counters
 * are fixed), so what still moves RSS does not grow per request: V8's young generation (semi-spaces of up to 16 MiB),
 * old space between major collections, malloc arenas of OpenSSL and the HTTP parser. These settle within ~15 s of full
 * load (one run: 147 MiB after a 5 s warm-up, 215 MiB ten seconds later, then 216–226 MiB for 50 s), hence the 15 s
 * warm-up. A leak of a few hundred bytes per request over a 60 s run (100 000–300 000 requests here) exceeds the
 * bound; smaller leaks are what the retained-heap rule below is for.
 */
export function rssBound(start: number): number {
  return start * 1.25 + 32 * MiB;
}

/**
 * The heap left after a full GC may end at most 16 MiB above where it started after warm-up: garbage does not count
 * there, only what the process keeps (24–26 MiB in the runs so far), so a leak of ~55 bytes per request over 300 000
 * requests, or ~170 over 100 000, shows.
 */
export function retainedHeapBound(start: number): number {
  return start + 16 * MiB;
}

/** One judged condition. */
export interface SoakCheck {
  what: string;
  rule: string;
  value: string;
  pass: boolean;
}

/** The schedule as it ran, seconds after the load started. */
export interface SoakTimeline {
  mark?: number;
  rotated?: number;
  rotatedSetServed?: number;
  outage503?: number;
  outageRefused?: number;
  outageOver?: number;
}

export interface SoakReport {
  startedAt: string;
  finishedAt: string;
  machine: { cpus: number; model: string; node: string; platform: string; loadAvgStart: string; loadAvgEnd: string };
  settings: Record<string, unknown>;
  timeline: SoakTimeline;
  load: SoakLoadResult;
  poolUse: { fresh: number; freshPool: number; rotated: number; rotatedPool: number };
  server: SoakServerReport;
  keyServer: { fetches: number; failed503: number; versionServed: number };
  checks: SoakCheck[];
  pass: boolean;
}

/** The checks of one run; the soak fails when any fails. */
export function soakChecks(load: SoakLoadResult, server: SoakServerReport, timeline: SoakTimeline, scheduled: { rotation: boolean; outage: boolean }): SoakCheck[] {
  const unexpected = sum(CATEGORIES.map((category) => load.byCategory[category].unexpected));
  const unhandled = server.uncaughtExceptions + server.unhandledRejections + server.errorLogs;
  const checks: SoakCheck[] = [
    {
      what: 'unexpected statuses',
      rule: '= 0',
      value: unexpected === 0 ? '0' : `${unexpected} (${describeUnexpected(load.byCategory)})`,
      pass: unexpected === 0,
    },
    { what: 'requests without an answer (connection errors, timeouts)', rule: '= 0', value: `${load.errors} + ${load.timeouts}`, pass: load.errors + load.timeouts === 0 },
    {
      what: 'unhandled errors in the server (uncaughtException, unhandledRejection, error log lines)',
      rule: '= 0',
      value: `${server.uncaughtExceptions} + ${server.unhandledRejections} + ${server.errorLogs}`,
      pass: unhandled === 0,
    },
    {
      what: 'RSS end after warm-up',
      rule: '≤ start × 1.25 + 32 MiB',
      value: `${mib(server.rss.end)} ≤ ${mib(rssBound(server.rss.start))}`,
      pass: server.rss.end <= rssBound(server.rss.start),
    },
    {
      what: 'heap retained after a full GC, end',
      rule: '≤ start + 16 MiB',
      value: `${mib(server.retainedHeap.end)} ≤ ${mib(retainedHeapBound(server.retainedHeap.start))}`,
      pass: server.retainedHeap.end <= retainedHeapBound(server.retainedHeap.start),
    },
  ];
  if (scheduled.rotation) {
    const rotated = load.byCategory.rotated;
    checks.push({
      what: 'key rotation: the rotated set reached the app and the new key passed',
      rule: 'served, and new-key tokens answered 200',
      value: `${timeline.rotatedSetServed === undefined ? 'never served' : `served ${(timeline.rotatedSetServed - (timeline.rotated ?? 0)).toFixed(2)} s after the rotation`}; ${rotated.expected} × 200, ${rotated.tolerated} × 401 before`,
      pass: timeline.rotatedSetServed !== undefined && rotated.expected > 0,
    });
  }
  if (scheduled.outage) {
    checks.push({
      what: 'key server outage: the app tried to fetch and failed',
      rule: 'failed fetches > 0',
      value: String(server.keys.failures),
      pass: server.keys.failures > 0,
    });
  }
  return checks;
}

/** The report as Markdown: the checks, the per-kind tally, memory and latency. */
export function soakMarkdown(report: SoakReport): string {
  const { load, server, settings, timeline } = report;
  const lines = [
    `# Soak ${report.startedAt}`,
    '',
    `${report.machine.cpus} × ${report.machine.model}, Node ${report.machine.node}, load average ${report.machine.loadAvgStart} → ${report.machine.loadAvgEnd}. ` +
      `${settings['adapter']}, ${settings['connections']} connections, ${settings['warmup']} s warm-up + ${settings['seconds']} s; ` +
      `rotation at ${at(timeline.rotated)}, key server 503 at ${at(timeline.outage503)}, refusing at ${at(timeline.outageRefused)}, back at ${at(timeline.outageOver)} (s after the load started). ` +
      `**${report.pass ? 'PASS' : 'FAIL'}**`,
    '',
    '| check | rule | value | |',
    '|---|---|---|---|',
    ...report.checks.map((check) => `| ${check.what} | ${check.rule} | ${check.value} | ${check.pass ? 'ok' : '**FAIL**'} |`),
    '',
    `${Math.round(load.rps).toLocaleString('en-US')} answers/s (${load.answered.toLocaleString('en-US')} in ${load.wallSeconds.toFixed(1)} s), latency p50 ${load.p50} ms / p99 ${load.p99} ms; ` +
      `event-loop delay p50 ${server.eventLoopDelayMs.p50.toFixed(1)} ms / p99 ${server.eventLoopDelayMs.p99.toFixed(1)} ms / max ${server.eventLoopDelayMs.max.toFixed(1)} ms; ` +
      `RSS start ${mib(server.rss.start)}, peak ${mib(server.rss.peak)}, end ${mib(server.rss.end)}; heap retained after GC ${mib(server.retainedHeap.start)} → ${mib(server.retainedHeap.end)}.`,
    '',
    `Validated-token cache since start: ${server.tokens.hits.toLocaleString('en-US')} hits, ${server.tokens.misses.toLocaleString('en-US')} misses. ` +
      `Key fetches: ${server.keys.fetches} (${server.keys.unknownKidRefetches} for an unknown kid), ${server.keys.failures} failed; the key server answered ${report.keyServer.fetches}, ${report.keyServer.failed503} of them 503. ` +
      `Warn lines ${server.warnLogs}; process warnings ${JSON.stringify(server.processWarnings)}. ` +
      `Fresh tokens sent ${report.poolUse.fresh.toLocaleString('en-US')} from a pool of ${report.poolUse.freshPool.toLocaleString('en-US')}` +
      `${report.poolUse.fresh > report.poolUse.freshPool ? ' (wrapped: a reused one had long left the 1 000-entry cache, so it was verified again)' : ''}.`,
    '',
    '| kind | expected | answered | as expected | tolerated | unexpected |',
    '|---|---:|---:|---:|---:|---:|',
    ...CATEGORIES.map((category) => row(category, load.byCategory[category], report)),
    '',
    `Refusals the library counted since start, by errorCode: ${server.refusals.map((refusal) => `${refusal.errorCode} ${refusal.count.toLocaleString('en-US')}`).join(', ')}.`,
  ];
  return lines.join('\n');
}

function row(category: Category, tally: CategoryTally, report: SoakReport): string {
  const expected = (report.settings['expected'] as Record<Category, number>)[category];
  const unexpected = tally.unexpected === 0 ? '0' : `**${tally.unexpected}** (${JSON.stringify(tally.unexpectedStatuses)})`;
  return `| ${category} | ${expected} | ${tally.answered.toLocaleString('en-US')} | ${tally.expected.toLocaleString('en-US')} | ${tally.tolerated} | ${unexpected} |`;
}

function describeUnexpected(byCategory: Record<Category, CategoryTally>): string {
  return CATEGORIES.filter((category) => byCategory[category].unexpected > 0)
    .map((category) => `${category}: ${JSON.stringify(byCategory[category].unexpectedStatuses)}`)
    .join('; ');
}

const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
const mib = (bytes: number) => `${(bytes / MiB).toFixed(1)} MiB`;
const at = (seconds: number | undefined) => (seconds === undefined ? '—' : seconds.toFixed(1));
