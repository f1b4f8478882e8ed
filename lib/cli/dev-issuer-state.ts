import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
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
 * file is its owner's only (0600) and replaced whole, so a reader never sees half of it.
 */
export function writeDevIssuerState(dir: string, state: DevIssuerState): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(join(dir, '.gitignore'), '# endpoints-auth dev-issuer: a private key lives here; never commit it\n*\n');
  const path = join(dir, DEV_STATE_FILE);
  const scratch = `${path}.${process.pid}.tmp`;
  const document = { key: state.key.privateJwk(), jwksUri: state.jwksUri, spec: state.spec && resolve(state.spec) };
  writeFileSync(scratch, `${JSON.stringify(document, null, 2)}\n`, { mode: 0o600 });
  // The mode given to writeFileSync is masked by the umask; the key must be the owner's only whatever it is.
  chmodSync(scratch, 0o600);
  renameSync(scratch, path);
}
