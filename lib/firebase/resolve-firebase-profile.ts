import { describe } from '../api-config/load-spec-document.js';
import { SpecError } from '../api-config/spec-error.js';
import type { ResolvedFirebaseProfile } from './firebase-profile-options.interface.js';

const KNOWN = new Set(['tenants', 'checkRevoked', 'revocationCacheSeconds', 'revocationCacheMaxEntries']);
const DEFAULT_REVOCATION_CACHE_SECONDS = 60;
const DEFAULT_REVOCATION_CACHE_MAX_ENTRIES = 10_000;

/**
 * `definitions.<name>.firebase` checked and filled in: `undefined` when the profile is off (`false` or absent). A
 * mistyped value is an error rather than a warning: a security check the app thinks is on must not be silently off.
 */
export function resolveFirebaseProfile(value: unknown, where: string): ResolvedFirebaseProfile | undefined {
  if (value === undefined || value === false) return undefined;
  if (value === true) return { revocationTtlMs: DEFAULT_REVOCATION_CACHE_SECONDS * 1000, revocationMaxEntries: DEFAULT_REVOCATION_CACHE_MAX_ENTRIES };
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new SpecError('options', `"${where}" must be true, false or an object; got ${describe(value)}`);
  }
  const options = value as Record<string, unknown>;
  const unknown = Object.keys(options).filter((name) => !KNOWN.has(name));
  if (unknown.length > 0) {
    throw new SpecError('options', `"${where}.${unknown[0]}" is not a Firebase profile setting; the settings are ${[...KNOWN].join(', ')}`);
  }
  const { tenants, checkRevoked } = options;
  if (checkRevoked !== undefined && typeof checkRevoked !== 'function') {
    throw new SpecError('options', `"${where}.checkRevoked" must be a function (claims) => boolean | Promise<boolean>; got ${describe(checkRevoked)}`);
  }
  return {
    tenants: tenantsOf(tenants, `${where}.tenants`),
    checkRevoked: checkRevoked as ResolvedFirebaseProfile['checkRevoked'],
    revocationTtlMs: integer(options['revocationCacheSeconds'], `${where}.revocationCacheSeconds`, DEFAULT_REVOCATION_CACHE_SECONDS, 0, 3600) * 1000,
    revocationMaxEntries: integer(options['revocationCacheMaxEntries'], `${where}.revocationCacheMaxEntries`, DEFAULT_REVOCATION_CACHE_MAX_ENTRIES, 1, 10_000_000),
  };
}

/** A non-empty list of non-empty strings: an empty list would let no one in, which is never what was meant. */
function tenantsOf(value: unknown, where: string): ReadonlySet<string> | undefined {
  if (value === undefined) return undefined;
  if (!Array.isArray(value) || value.length === 0 || !value.every((tenant) => typeof tenant === 'string' && tenant !== '')) {
    throw new SpecError('options', `"${where}" must be a non-empty list of tenant IDs (non-empty strings)`);
  }
  return new Set(value as string[]);
}

function integer(value: unknown, where: string, fallback: number, min: number, max: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new SpecError('options', `"${where}" must be a whole number from ${min} to ${max}`);
  }
  return value;
}
