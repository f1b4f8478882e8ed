// Imported first by lib/index.ts and lib/cli/main.ts: ES modules run their imports depth-first in source order, so this
// check runs before any module that loads jwks-rsa, whose require() of the ESM-only jose 6 would otherwise fail on an
// older Node with a bare ERR_REQUIRE_ESM from deep inside a dependency.

/** The oldest supported minor of each Node major that has one (package.json `engines`); from 24 on, every release. */
const OLDEST_MINOR: Readonly<Record<number, number>> = { 20: 19, 22: 12 };
const EVERY_RELEASE_FROM = 24;

/** Throws an Error naming the supported Node versions unless `version` (as in `process.versions.node`) is one of them. */
export function checkNodeVersion(version: string): void {
  const match = /^v?(\d+)\.(\d+)\.\d+(?:[-+].*)?$/.exec(version);
  const major = match ? Number(match[1]) : NaN;
  const minor = match ? Number(match[2]) : NaN;
  const oldestMinor = OLDEST_MINOR[major];
  const supported = major >= EVERY_RELEASE_FROM || (oldestMinor !== undefined && minor >= oldestMinor);
  if (!supported) {
    throw new Error(`nestjs-endpoints-auth needs Node 20.19+, 22.12+ or 24+; this is ${match ? version : JSON.stringify(version)}`);
  }
}

checkNodeVersion(process.versions.node);
