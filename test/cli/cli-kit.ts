import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The CLI as a user runs it: lib/ compiled into a temporary directory (never the repository's dist/, which the
 * package test rebuilds meanwhile), then `node dist/cli/main.js …` spawned with its own stdin, stdout and stderr.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

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

/** Compiles lib/ with the build's tsconfig into a temporary directory that resolves packages from the repository. */
export async function buildCli(): Promise<BuiltCli> {
  const dir = await mkdtemp(join(tmpdir(), 'endpoints-auth-cli-'));
  // The type check runs in `npm test` already; here only the emitted JavaScript matters.
  await exec(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist'), '--noCheck']);
  await writeFile(join(dir, 'package.json'), JSON.stringify({ type: 'module' }));
  await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'junction');
  const main = join(dir, 'dist/cli/main.js');
  return {
    dir,
    run: (args, options = {}) => runNode(main, args, options),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
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
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
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
