import { chmodSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEV_STATE_FILE, readDevIssuerState, writeDevIssuerState } from '../../lib/cli/dev-issuer-state.js';
import { UsageError } from '../../lib/cli/usage-error.js';
import { SigningKey } from '../../lib/minting/signing-key.js';

/**
 * Review of issue 15: the dev issuer's key file in a directory an attacker (another user, or a cloned repository)
 * prepared: files already there with wider modes, symlinks where the key or the .gitignore go, a directory others
 * can write. The private key must end up in a 0600 file of the directory and nowhere else, and no file outside the
 * directory may be written.
 */

let root: string;
const key = SigningKey.generate();
const mode = (path: string) => statSync(path).mode & 0o777;

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'endpoints-auth-review15-'));
});

afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('writeDevIssuerState in a prepared directory', () => {
  it('replaces a key file that was readable by others with one only its owner reads', () => {
    const dir = join(root, 'dev');
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, DEV_STATE_FILE), '{}', { mode: 0o644 });
    writeDevIssuerState(dir, { key });
    expect(mode(join(dir, DEV_STATE_FILE))).toBe(0o600);
    expect(readDevIssuerState(dir)?.key.kid).toBe(key.kid);
  });

  it('replaces a symlink at the key file by a regular file, leaving its target as it was', () => {
    const dir = join(root, 'dev');
    mkdirSync(dir, { mode: 0o700 });
    const target = join(root, 'elsewhere.json');
    writeFileSync(target, 'untouched', { mode: 0o644 });
    symlinkSync(target, join(dir, DEV_STATE_FILE));
    writeDevIssuerState(dir, { key });
    expect(lstatSync(join(dir, DEV_STATE_FILE)).isFile()).toBe(true);
    expect(mode(join(dir, DEV_STATE_FILE))).toBe(0o600);
    expect(readFileSync(target, 'utf8')).toBe('untouched');
  });

  it('never writes through a symlink planted at the scratch file: the private key stays in the directory', () => {
    const dir = join(root, 'dev');
    mkdirSync(dir, { mode: 0o700 });
    const stolen = join(root, 'stolen.json');
    writeFileSync(stolen, '', { mode: 0o644 });
    symlinkSync(stolen, join(dir, `${DEV_STATE_FILE}.${process.pid}.tmp`));
    writeDevIssuerState(dir, { key });
    expect(readFileSync(stolen, 'utf8')).toBe('');
    expect(mode(stolen)).toBe(0o644);
    expect(lstatSync(join(dir, DEV_STATE_FILE)).isFile()).toBe(true);
    expect(mode(join(dir, DEV_STATE_FILE))).toBe(0o600);
    expect(readDevIssuerState(dir)?.key.kid).toBe(key.kid);
  });

  it('never writes through a .gitignore that is a symlink (a cloned repository may hold one)', () => {
    const dir = join(root, 'dev');
    mkdirSync(dir, { mode: 0o700 });
    const victim = join(root, 'important.txt');
    writeFileSync(victim, 'the user\'s own file\n');
    symlinkSync(victim, join(dir, '.gitignore'));
    writeDevIssuerState(dir, { key });
    expect(readFileSync(victim, 'utf8')).toBe('the user\'s own file\n');
    expect(readDevIssuerState(dir)?.key.kid).toBe(key.kid);
  });

  it('keeps a .gitignore the user wrote', () => {
    const dir = join(root, 'dev');
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(join(dir, '.gitignore'), '*\n!README\n');
    writeDevIssuerState(dir, { key });
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toBe('*\n!README\n');
  });

  it('makes a new directory 0700 with a .gitignore of *', () => {
    const dir = join(root, 'a', 'dev');
    writeDevIssuerState(dir, { key });
    expect(mode(dir)).toBe(0o700);
    expect(readFileSync(join(dir, '.gitignore'), 'utf8')).toMatch(/\n\*\n$/);
  });

  it('refuses a directory others can write (they could swap the key), naming it and the fix', () => {
    const dir = join(root, 'shared');
    mkdirSync(dir);
    for (const wide of [0o777, 0o770, 0o1777]) {
      // chmod, not mkdir's mode: the umask would narrow it.
      chmodSync(dir, wide);
      expect(() => writeDevIssuerState(dir, { key }), wide.toString(8)).toThrow(
        new UsageError(`${dir} can be written by other users, who could replace the dev issuer's key; use a directory only you can write (chmod go-w ${dir}), or another --dir`),
      );
    }
    expect(() => readFileSync(join(dir, DEV_STATE_FILE))).toThrow(/ENOENT/);
  });

  it('refuses a --dir that is a file, with a clear message', () => {
    const file = join(root, 'file');
    writeFileSync(file, '');
    expect(() => writeDevIssuerState(file, { key })).toThrow(new UsageError(`${file} is not a directory`));
    expect(() => writeDevIssuerState(join(file, 'below'), { key })).toThrow(new UsageError(`${join(file, 'below')}: cannot make the directory (ENOTDIR)`));
  });
});

describe('readDevIssuerState of a broken file', () => {
  it('names the file and never quotes it', () => {
    const dir = join(root, 'dev');
    mkdirSync(dir, { mode: 0o700 });
    const path = join(dir, DEV_STATE_FILE);
    for (const text of ['{"key": {"kty": "RSA", "d": "c2VjcmV0", "kid": "k"}}', 'not json at all: secret-material', '[]', 'null', '{"key": {"kty": "oct", "k": "c2VjcmV0", "kid": "k"}}']) {
      writeFileSync(path, text, { mode: 0o600 });
      let thrown: unknown;
      try {
        readDevIssuerState(dir);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, text).toEqual(new UsageError(`${path}: not a dev issuer state file (remove it and run endpoints-auth dev-issuer to make a new key)`));
    }
  });
});
