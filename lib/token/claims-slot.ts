import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';
import type { HttpRequestLike } from './http-request.interface.js';

/**
 * Where the guard keeps the claims it verified. `@UserInfo()` reads this, not `request.user`, which sessions or
 * other middleware may have filled: a route that verified nothing must never hand out claims. A WeakMap rather than
 * a property: one more property on every request object changes its shape, which the profile showed costs more than
 * the whole validated-token cache lookup.
 */
const CLAIMS = new WeakMap<object, JwtClaims>();

/** Records the verified claims for the request, and as `request.user` for code written for Passport. */
export function setClaims(request: HttpRequestLike, claims: JwtClaims): void {
  CLAIMS.set(request, claims);
  request.user = claims;
}

/** The claims this library verified for the request, if any. */
export function claimsOf(request: HttpRequestLike | undefined): JwtClaims | undefined {
  return request ? CLAIMS.get(request) : undefined;
}
