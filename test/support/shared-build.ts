import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, readdir, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Compiled JavaScript of this checkout for tests that spawn node on it (the CLI, the soak): one build per tsconfig and
 * sources, in a temporary directory that resolves packages from the repository. The directory is named by a hash of
 * this checkout's path and sources: the first caller compiles (under a lock directory, so files started side by side
 * wait instead of compiling three times on a busy machine), the others reuse it.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How long a caller waits for another's build of the same sources before taking over its lock. */
const BUILD_WAIT_MS = 120_000;

/** What to compile, and how to tell a finished build. */
export interface BuildSpec {
  /** Names the temporary directories (`<tmp>/<prefix><hash>`); a prefix per kind of build. */
  prefix: string;
  /** The tsconfig, relative to the repository. */
  tsconfig: string;
  /** Where tsc writes, relative to the build directory (`.` for the tsconfig's own layout). */
  outDir: string;
  /** A file, relative to the build directory, that exists once the build is complete. */
  marker: string;
  /** Files, and folders whose `.ts` files, (relative to the repository) name the build by their contents. */
  sources: string[];
}

/** The build of `spec` for this checkout's current sources: compiled now, or found from an earlier run. */
export async function sharedBuild(spec: BuildSpec): Promise<string> {
  const dir = join(tmpdir(), `${spec.prefix}${await sourcesHash(spec.sources)}`);
  const lock = `${dir}.lock`;
  const end = Date.now() + BUILD_WAIT_MS;
  while (!existsSync(join(dir, spec.marker))) {
    if (await acquire(lock)) {
      try {
        if (!existsSync(join(dir, spec.marker))) await compileInto(dir, spec);
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
async function compileInto(dir: string, spec: BuildSpec): Promise<void> {
  const scratch = `${dir}.tmp-${process.pid}`;
  await rm(scratch, { recursive: true, force: true });
  // The type check runs in `npm test` already; here only the emitted JavaScript matters.
  await exec(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(ROOT, spec.tsconfig), '--outDir', join(scratch, spec.outDir), '--noCheck']);
  await writeFile(join(scratch, 'package.json'), JSON.stringify({ type: 'module' }));
  await writeFile(join(scratch, 'root.txt'), ROOT);
  await symlink(join(ROOT, 'node_modules'), join(scratch, 'node_modules'), 'junction');
  await rename(scratch, dir);
  await removeStaleBuilds(dir, spec.prefix);
}

/** Removes builds of this checkout's older sources a day old or more (other checkouts' builds are theirs). */
async function removeStaleBuilds(current: string, prefix: string): Promise<void> {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of await readdir(tmpdir())) {
    const path = join(tmpdir(), name);
    if (!name.startsWith(prefix) || path === current || name.includes('.')) continue;
    const info = await stat(join(path, 'root.txt')).catch(() => undefined);
    if (info && info.mtimeMs < dayAgo && (await readFile(join(path, 'root.txt'), 'utf8')) === ROOT) {
      await rm(path, { recursive: true, force: true });
    }
  }
}

/** A hash of the checkout's path, tsconfig.json, the files of `sources` and the `.ts` files under its folders (not results or notes). */
async function sourcesHash(sources: string[]): Promise<string> {
  const hash = createHash('sha256').update(ROOT);
  const files = ['tsconfig.json'];
  for (const source of sources) {
    if (!(await stat(join(ROOT, source))).isDirectory()) files.push(source);
    else files.push(...(await readdir(join(ROOT, source), { recursive: true })).filter((name) => name.endsWith('.ts')).map((name) => join(source, name)));
  }
  for (const file of [...new Set(files)].sort()) {
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
