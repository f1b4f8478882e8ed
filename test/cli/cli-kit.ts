import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type BuildSpec, sharedBuild } from '../support/shared-build.js';

/**
 * The CLI as a user runs it: lib/ compiled into a temporary directory (never the repository's dist/, which the
 * package test rebuilds meanwhile), then `node dist/cli/main.js …` spawned with its own stdin, stdout and stderr.
 * The compiled CLI is shared: every test file of a run (and later runs over the same sources) uses one build.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/**
 * How long a test that runs the CLI may take, set with `vi.setConfig` by each file that does: spawning node on a
 * loaded machine takes seconds, so the test and the kill of a stuck child below are generous and consistent.
 */
export const CLI_TEST_TIMEOUT_MS = 120_000;

/** A child still running after this is killed, and its run fails saying so (a safety net, not an assertion). */
const CLI_KILL_MS = 90_000;

/** How long the `beforeAll` that calls `buildCli()` may take: compiling lib/ under load, or waiting for another file's. */
export const CLI_BUILD_TIMEOUT_MS = 180_000;

/** What one CLI run printed and how it exited (kept in memory, never logged: it may hold a token). */
export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A compiled CLI in a temporary directory. */
export interface BuiltCli {
  dir: string;
  /** Runs `endpoints-auth …args` with `stdin` piped in (closed at once when absent). */
  run(args: string[], options?: { stdin?: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<CliRun>;
  remove(): Promise<void>;
}

/**
 * The CLI compiled from lib/ with the build's tsconfig, in a temporary directory that resolves packages from the
 * repository. The directory is named by a hash of this checkout's path and sources: the first caller compiles (under a
 * lock directory, so files started side by side wait instead of compiling three times on a busy machine), the others
 * reuse it. `remove()` leaves it for them; builds of older sources are removed when a new one is made.
 */
export async function buildCli(): Promise<BuiltCli> {
  const dir = await sharedBuild(CLI_BUILD);
  const main = join(dir, 'dist/cli/main.js');
  return {
    dir,
    run: (args, options = {}) => runNode(main, args, options),
    remove: async () => {
      // Shared with the other CLI test files: kept, keyed by the sources it was built from.
    },
  };
}

/** The CLI's build: lib/ compiled with the build's tsconfig into `dist/`, as the package ships it. */
const CLI_BUILD: BuildSpec = {
  prefix: 'endpoints-auth-cli-',
  tsconfig: 'tsconfig.build.json',
  outDir: 'dist',
  marker: 'dist/cli/main.js',
  sources: ['tsconfig.build.json', 'lib'],
};

function runNode(main: string, args: string[], options: { stdin?: string; cwd?: string; env?: NodeJS.ProcessEnv }): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const env = { ...process.env, ...options.env };
    delete env.NODE_OPTIONS; // no loaders or flags inherited from the test runner
    const child = spawn(process.execPath, [main, ...args], { cwd: options.cwd ?? ROOT, env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGKILL');
    }, CLI_KILL_MS);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (killed) reject(new Error(`endpoints-auth ${args[0] ?? ''} did not exit within ${CLI_KILL_MS} ms and was killed`));
      else resolve({ code, stdout, stderr });
    });
    child.stdin.end(options.stdin ?? '');
  });
}

/** A spec file in `dir`, written as JSON (a YAML superset, so the name may end in .yaml). */
export async function writeSpec(dir: string, name: string, document: unknown): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, typeof document === 'string' ? document : JSON.stringify(document, null, 2));
  return path;
}
