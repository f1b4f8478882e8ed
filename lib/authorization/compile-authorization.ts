import type { SecuredOptions } from '../interfaces/requirement.interface.js';
import { claimPathOf } from './claim-path.js';
import { type ClaimValue, ClaimsAuthorization } from './claims-authorization.js';

const OPTION_KEYS: ReadonlySet<string> = new Set(['optional', 'scopes', 'claims']);

/** RFC 6749 §3.3's scope-token: printable ASCII without space, `"` or `\` (so it is safe in a quoted header, too). */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/;

/**
 * Checks `@Secured`'s options and compiles their `scopes` and `claims` into the check the guard runs, `undefined`
 * when they ask for neither; anything malformed is a TypeError when the decorator runs, before the app starts.
 */
export function compileAuthorization(options: SecuredOptions): ClaimsAuthorization | undefined {
  const unknown = Object.keys(options).filter((key) => !OPTION_KEYS.has(key));
  if (unknown.length > 0) {
    throw new TypeError(`@Secured() has no option ${unknown.map((key) => `"${key}"`).join(', ')}; its options are optional, scopes and claims`);
  }
  if (options.optional !== undefined && typeof options.optional !== 'boolean') {
    throw new TypeError('@Secured() optional must be true or false');
  }
  const scopes = options.scopes === undefined ? [] : scopesFrom(options.scopes);
  const claims = options.claims === undefined ? [] : claimsFrom(options.claims);
  return scopes.length + claims.length > 0 ? new ClaimsAuthorization(scopes, claims) : undefined;
}

function scopesFrom(scopes: unknown): string[] {
  if (!Array.isArray(scopes) || scopes.length === 0) {
    throw new TypeError('@Secured() scopes must be a non-empty array of scope names, e.g. { scopes: ["read:shelves"] }');
  }
  for (const scope of scopes) {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      throw new TypeError(`@Secured() scopes: ${JSON.stringify(scope) ?? String(scope)} is not a scope name (one word of printable ASCII, no space, quote or backslash)`);
    }
  }
  return [...new Set(scopes as string[])];
}

function claimsFrom(claims: unknown): ClaimsAuthorization['claims'] {
  const prototype = typeof claims === 'object' && claims !== null ? Object.getPrototypeOf(claims) : undefined;
  if ((prototype !== Object.prototype && prototype !== null) || Object.keys(claims as object).length === 0) {
    throw new TypeError('@Secured() claims must be a non-empty object of claim names and values, e.g. { claims: { email_verified: true } }');
  }
  return Object.entries(claims as Record<string, unknown>).map(([name, value]) => {
    if (!isClaimValue(value)) {
      throw new TypeError(`@Secured() claims: "${name}" must be a string, a finite number or a boolean (compared with ===)`);
    }
    return [claimPathOf(name), value] as const;
  });
}

function isClaimValue(value: unknown): value is ClaimValue {
  return typeof value === 'string' || typeof value === 'boolean' || (typeof value === 'number' && Number.isFinite(value));
}
