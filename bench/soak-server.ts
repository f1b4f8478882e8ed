// The soak's app: Nest 12 on Express (or Fastify, argv[2]), `GET /hello` guarded by the library with the run's key
// server as `x-google-jwks_uri`, keys kept briefly (--key-ttl, so they go stale within the key server's outage) and an
// unknown-kid cooldown of 1 s (the least allowed, so a rotated-in key is found by the unknown-kid refetch long before
// the TTL). Forked by soak.ts with an IPC channel and `--expose-gc`. It counts what must never happen (uncaught
// exceptions, unhandled rejections, error-level log lines such as Nest's ExceptionsHandler), samples RSS every second
// and the event loop's delay, and reports them over IPC: { type: 'mark' } ends the warm-up (RSS and retained heap at
// start, histogram reset), { type: 'report' } ends the run. Never logs a request or a token.
import 'reflect-metadata';
import { ConsoleLogger, Controller, Get, Module, type Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { EndpointsAuthCounters, EndpointsAuthModule, type RefusalCount } from '../lib/index.js';
import { benchSpec } from './tokens.js';

/** What the server measured between the mark and the report. */
export interface SoakServerReport {
  /** RSS at the mark (after warm-up), the highest 1-second sample after it, and at the report, in bytes. */
  rss: { start: number; peak: number; end: number; samples: number[] };
  /** `heapUsed` right after a full GC at the mark and at the report: what the process keeps, without garbage. */
  retainedHeap: { start: number; end: number };
  /** Event-loop delay after the mark, ms (monitorEventLoopDelay, 10 ms resolution). */
  eventLoopDelayMs: { p50: number; p99: number; max: number };
  uncaughtExceptions: number;
  unhandledRejections: number;
  /** Error-level log lines (Nest logs an exception no filter handled this way). */
  errorLogs: number;
  /** Warn-level log lines (expected while the key server fails: the key store says so). */
  warnLogs: number;
  /** `process.on('warning')` names (e.g. MaxListenersExceededWarning), counted. */
  processWarnings: Record<string, number>;
  tokens: { hits: number; misses: number };
  keys: { fetches: number; failures: number; unknownKidRefetches: number };
  /** The library's own refusal counts by errorCode since start (warm-up included). */
  refusals: RefusalCount[];
}

/** Messages from this process to soak.ts. */
export type SoakServerMessage =
  | { type: 'ready'; port: number; pid: number }
  | { type: 'mark'; rss: number }
  | ({ type: 'report' } & SoakServerReport);

const adapter = process.argv[2] === 'fastify' ? 'fastify' : 'express';
const keyTtlSeconds = Number(process.argv[3] ?? '5');
const jwksUri = process.env['BENCH_JWKS_URI'] ?? '';
if (!jwksUri.startsWith('http://127.0.0.1:')) throw new Error('BENCH_JWKS_URI must name the key server on 127.0.0.1');
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) throw new Error('the soak server runs with --expose-gc');

const counts = { uncaughtExceptions: 0, unhandledRejections: 0, errorLogs: 0, warnLogs: 0 };
const processWarnings: Record<string, number> = {};
// Counted, never rethrown: the soak reports them at the end and fails, instead of losing the report with the process.
process.on('uncaughtException', () => counts.uncaughtExceptions++);
process.on('unhandledRejection', () => counts.unhandledRejections++);
process.on('warning', (warning) => (processWarnings[warning.name] = (processWarnings[warning.name] ?? 0) + 1));

/** Nest's console logger, counting the lines it prints at error and warn level. */
class CountingLogger extends ConsoleLogger {
  override error(message: unknown, ...rest: unknown[]): void {
    counts.errorLogs++;
    super.error(message, ...rest);
  }

  override warn(message: unknown, ...rest: unknown[]): void {
    counts.warnLogs++;
    super.warn(message, ...rest);
  }
}

@Controller()
class HelloController {
  @Get('hello')
  hello() {
    return { hello: 'world', ok: true };
  }
}

function appModule(): Type<unknown> {
  @Module({
    imports: [
      EndpointsAuthModule.forRoot({
        spec: benchSpec(jwksUri),
        keyCache: { ttlSeconds: keyTtlSeconds, unknownKidCooldownSeconds: 1 },
      }),
    ],
    controllers: [HelloController],
  })
  class SoakAppModule {}
  return SoakAppModule;
}

/** `heapUsed` after two full collections (the second collects what the first's finalisers freed). */
function retainedHeap(): number {
  gc!();
  gc!();
  return process.memoryUsage().heapUsed;
}

async function main(): Promise<void> {
  const logger = new CountingLogger('Soak', { logLevels: ['error', 'warn'] });
  const app =
    adapter === 'fastify'
      ? await NestFactory.create(appModule(), new FastifyAdapter(), { logger })
      : await NestFactory.create(appModule(), { logger });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address() as AddressInfo;
  const counters = app.get(EndpointsAuthCounters);

  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let marked = false;
  const rss = { start: 0, peak: 0, end: 0, samples: [] as number[] };
  let heapAtStart = 0;
  const sample = () => {
    const now = process.memoryUsage.rss();
    if (!marked) return now;
    rss.samples.push(now);
    rss.peak = Math.max(rss.peak, now);
    rss.end = now;
    return now;
  };
  setInterval(sample, 1000).unref();

  process.on('message', (message: { type?: string }) => {
    if (message?.type === 'mark') {
      // RSS before the collection, as the load left it; the retained heap after it.
      marked = true;
      rss.start = rss.peak = sample();
      heapAtStart = retainedHeap();
      delay.reset();
      send({ type: 'mark', rss: rss.start });
    }
    if (message?.type === 'report') {
      sample();
      const ms = (ns: number) => ns / 1e6;
      const report: SoakServerReport = {
        rss,
        retainedHeap: { start: heapAtStart, end: retainedHeap() },
        eventLoopDelayMs: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max) },
        ...counts,
        processWarnings,
        tokens: counters.tokens(),
        keys: counters.keys('bench'),
        refusals: counters.refusals(),
      };
      send({ type: 'report', ...report });
    }
    if (message?.type === 'stop') void app.close().finally(() => process.exit(0));
  });
  send({ type: 'ready', port, pid: process.pid });
}

function send(message: SoakServerMessage): void {
  process.send?.(message);
}

process.on('disconnect', () => process.exit(0));
// A hard stop: a lost server never outlives a soak.
setTimeout(() => process.exit(0), 30 * 60 * 1000).unref();
main().catch((error: unknown) => {
  console.error(`soak server (${adapter}) failed:`, error instanceof Error ? error.message : error);
  process.exit(1);
});
