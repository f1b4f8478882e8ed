import { execFile, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

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

/** How long a file waits for another file's build of the same sources before taking over its lock. */
const BUILD_WAIT_MS = 120_000;

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
  const dir = await sharedBuild();
  const main = join(dir, 'dist/cli/main.js');
  return {
    dir,
    run: (args, options = {}) => runNode(main, args, options),
    remove: async () => {
      // Shared with the other CLI test files: kept, keyed by the sources it was built from.
    },
  };
}

const PREFIX = 'endpoints-auth-cli-';

async function sharedBuild(): Promise<string> {
  const dir = join(tmpdir(), `${PREFIX}${await sourcesHash()}`);
  const lock = `${dir}.lock`;
  const end = Date.now() + BUILD_WAIT_MS;
  while (!existsSync(join(dir, 'dist/cli/main.js'))) {
    if (await acquire(lock)) {
      try {
        if (!existsSync(join(dir, 'dist/cli/main.js'))) await compileInto(dir);
      } finally {
        await rm(lock, { recursive: true, force: true });
      }
      break;
    }
    // Another file is compiling; a lock left by a killed run is taken over after the wait.
    if (Date.now() > end) await rm(lock, { recursive: true, force: true });
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  return dir;
}

/** Takes the lock directory; `false` when another process holds it. */
async function acquire(lock: string): Promise<boolean> {
  try {
    await mkdir(lock);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Compiles into a scratch directory renamed to `dir` once complete, so no reader sees half a build. */
async function compileInto(dir: string): Promise<void> {
  const scratch = `${dir}.tmp-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  // The type check runs in `npm test` already; here only the emitted JavaScript matters.
  await exec(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(scratch, 'dist'), '--noCheck']);
  await writeFile(join(scratch, 'package.json'), JSON.stringify({ type: 'module' }));
  await writeFile(join(scratch, 'root.txt'), ROOT);
  await symlink(join(ROOT, 'node_modules'), join(scratch, 'node_modules'), 'junction');
  await rename(scratch, dir);
  await removeStaleBuilds(dir);
}

/** Removes builds of this checkout's older sources a day old or more (other checkouts' builds are theirs). */
async function removeStaleBuilds(current: string): Promise<void> {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of await readdir(tmpdir())) {
    const path = join(tmpdir(), name);
    if (!name.startsWith(PREFIX) || path === current || name.includes('.')) continue;
    const info = await stat(join(path, 'root.txt')).catch(() => undefined);
    if (info && info.mtimeMs < dayAgo && (await readFile(join(path, 'root.txt'), 'utf8')) === ROOT) {
      await rm(path, { recursive: true, force: true });
    }
  }
}

/** A hash of the checkout's path, the tsconfigs and every file under lib/. */
async function sourcesHash(): Promise<string> {
  const hash = createHash('sha256').update(ROOT);
  const files = ['tsconfig.json', 'tsconfig.build.json', ...(await readdir(join(ROOT, 'lib'), { recursive: true })).map((name) => join('lib', name))];
  for (const file of files.sort()) {
    const path = join(ROOT, file);
    if ((await stat(path)).isFile()) hash.update(file).update('\0').update(await readFile(path)).update('\0');
  }
  return hash.digest('hex').slice(0, 16);
}

function exec(file: string, args: string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')} failed:\n${stdout}\n${stderr}`));
      else resolve();
    });
  });
}

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
