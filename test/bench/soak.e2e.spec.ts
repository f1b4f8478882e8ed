import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../bench/soak-mix.js';
import type { SoakReport } from '../../bench/soak-report.js';
import { sharedBuild } from '../support/shared-build.js';

/** `npm run soak` compressed to seconds: the rotation, the outage and the key TTL scaled down with its options. */
const SHORT_SOAK = ['--seconds', '4', '--warmup', '1', '--rotate-at', '0.5', '--outage-at', '2', '--outage-seconds', '1.5', '--key-ttl', '1'];

/** A child still running after this is killed (a safety net on a loaded machine, not a timing assertion). */
const KILL_MS = 90_000;

interface SoakRun {
  code: number | null;
  output: string;
  report: SoakReport;
}

describe('npm run soak', () => {
  let dir: string;
  let scratch: string;

  beforeAll(async () => {
    // bench/ and lib/ compiled as `npm run soak` compiles them, into a shared temporary build.
    dir = await sharedBuild({ prefix: 'endpoints-auth-bench-', tsconfig: 'tsconfig.bench.json', outDir: '.', marker: 'bench/soak.js', sources: ['tsconfig.bench.json', 'lib', 'bench'] });
    scratch = await mkdtemp(join(tmpdir(), 'soak-test-'));
  }, 180_000);
  afterAll(() => (scratch ? rm(scratch, { recursive: true, force: true }) : undefined));

  function soak(args: string[]): Promise<SoakRun> {
    const jsonFile = join(scratch, `report-${Date.now()}.json`);
    const env = { ...process.env };
    delete env.NODE_OPTIONS; // no loaders or flags inherited from the test runner
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(dir, 'bench/soak.js'), ...args, '--no-write', '--json-file', jsonFile], { env, stdio: ['ignore', 'pipe', 'pipe'] });
      let output = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
      const timer = setTimeout(() => child.kill('SIGKILL'), KILL_MS);
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        readFile(jsonFile, 'utf8').then(
          (json) => resolve({ code, output, report: JSON.parse(json) as SoakReport }),
          () => reject(new Error(`the soak exited ${code} without a report:\n${output}`)),
        );
      });
    });
  }

  it('fails on a deliberately wrong expectation, counting exactly that kind, while every other kind gets its status', async () => {
    // Garbage tokens are expected to get 402 instead of 401: every garbage answer must be counted unexpected.
    const { code, output, report } = await soak([...SHORT_SOAK, '--connections', '8', '--pool', '1000', '--expect-wrong', 'garbage']);

    expect(code).toBe(1);
    expect(report.pass).toBe(false);
    expect(report.checks.find((check) => check.what === 'unexpected statuses')?.pass).toBe(false);
    const garbage = report.load.byCategory.garbage;
    expect(garbage.answered).toBeGreaterThan(0);
    expect(garbage).toMatchObject({ expected: 0, tolerated: 0, unexpected: garbage.answered, unexpectedStatuses: { '401': garbage.answered } });
    for (const category of CATEGORIES.filter((name) => name !== 'garbage')) {
      expect({ category, unexpected: report.load.byCategory[category].unexpected }).toEqual({ category, unexpected: 0 });
    }
    for (const category of CATEGORIES.filter((name) => name !== 'rotated')) {
      expect({ category, answered: report.load.byCategory[category].answered > 0 }).toEqual({ category, answered: true });
    }
    // The key server failed in the run (the library counted failed fetches), and nothing went unhandled.
    expect(report.server.keys.failures).toBeGreaterThan(0);
    expect({ uncaught: report.server.uncaughtExceptions, rejections: report.server.unhandledRejections, errorLogs: report.server.errorLogs }).toEqual({
      uncaught: 0,
      rejections: 0,
      errorLogs: 0,
    });
    expect(report.load.errors + report.load.timeouts).toBe(0);
    expect(output).toContain('| garbage | 402 |');
    // No token in what the soak printed (every JWT starts with a base64url '{"').
    expect(output).not.toContain('eyJ');
  }, 120_000);

  it('refuses an unknown kind for --expect-wrong with a clear message', async () => {
    const child = spawn(process.execPath, [join(dir, 'bench/soak.js'), '--expect-wrong', 'teapot', '--no-write'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(code).not.toBe(0);
    expect(output).toContain('--expect-wrong must be one of repeated, fresh, rotated');
  }, 60_000);
});
