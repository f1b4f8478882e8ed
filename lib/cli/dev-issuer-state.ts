import { randomBytes } from 'node:crypto';
import { closeSync, fchmodSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { SigningKey } from '../minting/signing-key.js';
import { UsageError } from './usage-error.js';

/** Where `dev-issuer` keeps its key and `token --issuer dev` finds it, unless `--dir` says otherwise. */
export const DEFAULT_DEV_DIR = '.endpoints-auth';

/** The file in the dev directory that holds the private key, the JWKS URL and the spec's path. */
export const DEV_STATE_FILE = 'dev-issuer.json';

/** What the dev issuer last recorded: its key, where it serves the public half, and the spec it serves keys for. */
export interface DevIssuerState {
  key: SigningKey;
  /** The JWKS URL the running (or last) dev issuer served, with the port it really took. */
  jwksUri?: string;
  /** The absolute path of the spec given to the dev issuer, if any. */
  spec?: string;
}

/**
 * The state in `dir`, or `undefined` when there is none yet; a file that is there but unusable throws a
 * `UsageError` naming it (never quoting it: it holds a private key).
 */
export function readDevIssuerState(dir: string): DevIssuerState | undefined {
  const path = join(dir, DEV_STATE_FILE);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`${path}: cannot be read (${(error as NodeJS.ErrnoException).code ?? 'unknown error'})`);
  }
  let document: { key?: unknown; jwksUri?: unknown; spec?: unknown };
  let key: SigningKey;
  try {
    document = JSON.parse(text) as typeof document;
    key = SigningKey.fromPrivateJwk(document.key);
  } catch {
    throw new UsageError(`${path}: not a dev issuer state file (remove it and run endpoints-auth dev-issuer to make a new key)`);
  }
  return {
    key,
    jwksUri: typeof document.jwksUri === 'string' ? document.jwksUri : undefined,
    spec: typeof document.spec === 'string' ? document.spec : undefined,
  };
}

/**
 * Writes the state to `dir` (made if missing, with a `.gitignore` of `*` so nothing in it is ever committed); the
 * file is its owner's only (0600) and replaced whole, so a reader never sees half of it. A directory other users can
 * write (they could swap the key) is refused, and nothing is written through a symlink planted in it.
 */
export function writeDevIssuerState(dir: string, state: DevIssuerState): void {
  privateDirectory(dir);
  // Only when absent: a .gitignore the user wrote stays, and one that is a symlink is never written through.
  writeExclusive(join(dir, '.gitignore'), '# endpoints-auth dev-issuer: a private key lives here; never commit it\n*\n', 0o644, true);
  const path = join(dir, DEV_STATE_FILE);
  const scratch = `${path}.${randomBytes(8).toString('hex')}.tmp`;
  const document = { key: state.key.privateJwk(), jwksUri: state.jwksUri, spec: state.spec && resolve(state.spec) };
  writeExclusive(scratch, `${JSON.stringify(document, null, 2)}\n`, 0o600, false);
  renameSync(scratch, path);
}

/** Makes `dir` (0700) or checks the one there: a directory, owned by this user, that no other user can write. */
function privateDirectory(dir: string): void {
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown error';
    throw new UsageError(code === 'EEXIST' ? `${dir} is not a directory` : `${dir}: cannot make the directory (${code})`);
  }
  const stats = statSync(dir);
  if (!stats.isDirectory()) throw new UsageError(`${dir} is not a directory`);
  // Windows has no such mode bits (a directory reads as 0o666); its ACLs are the user's to set.
  if (process.platform === 'win32') return;
  const foreign = process.getuid !== undefined && stats.uid !== process.getuid();
  if (foreign || (stats.mode & 0o022) !== 0) {
    throw new UsageError(`${dir} can be written by other users, who could replace the dev issuer's key; use a directory only you can write (chmod go-w ${dir}), or another --dir`);
  }
}

/**
 * Creates `path` with `text` (O_EXCL: fails on anything already there, a symlink included, so nothing is written
 * through one), its mode set on the open file whatever the umask; with `keep`, an existing file is left alone.
 */
function writeExclusive(path: string, text: string, mode: number, keep: boolean): void {
  let fd: number;
  try {
    fd = openSync(path, 'wx', mode);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (keep && code === 'EEXIST') return;
    throw new UsageError(`${path}: cannot be written (${code ?? 'unknown error'})`);
  }
  try {
    fchmodSync(fd, mode);
    writeFileSync(fd, text);
  } finally {
    closeSync(fd);
  }
}
