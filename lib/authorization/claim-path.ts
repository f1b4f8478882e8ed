import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';

/** A claim named in `@Secured`'s `claims`: the name as written and, when it has dots, the nested path it may reach. */
export interface ClaimPath {
  /** The name as written, e.g. `firebase.sign_in_provider`. */
  readonly name: string;
  /** Its dot-separated segments; a single segment for a top-level claim. */
  readonly segments: readonly string[];
}

/** Splits a claim name on its dots; an empty segment (`a..b`, `.a`, `a.`) is a TypeError at decoration. */
export function claimPathOf(name: string): ClaimPath {
  const segments = name.split('.');
  if (segments.some((segment) => segment === '')) {
    throw new TypeError(`@Secured() claims: "${name}" has an empty path segment; write a claim name or a dotted path such as "firebase.sign_in_provider"`);
  }
  return { name, segments };
}

/**
 * The value a path reaches in verified claims, `undefined` when any step is missing. A top-level claim spelt with
 * the dots wins (namespaced claims such as `https://example.com/roles` are common); only own properties are read,
 * so `constructor` or `__proto__` never reach the prototype.
 */
export function claimAt(claims: JwtClaims, path: ClaimPath): unknown {
  if (Object.hasOwn(claims, path.name)) return claims[path.name];
  let value: unknown = claims;
  for (const segment of path.segments) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, segment)) return undefined;
    value = (value as Record<string, unknown>)[segment];
  }
  return value;
}
