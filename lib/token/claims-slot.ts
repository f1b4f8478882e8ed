import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';
import type { HttpRequestLike } from './http-request.interface.js';

/**
 * Where the guard keeps the claims it verified. `@UserInfo()` reads this, not `request.user`, which sessions or
 * other middleware may have filled: a route that verified nothing must never hand out claims. A property under a
 * symbol no other module holds, set right after `request.user` (so the request changes shape along one path V8 has
 * seen before): a WeakMap entry per request cost 250 ns more, and more work for every garbage collection.
 */
const CLAIMS = Symbol('nestjs-endpoints-auth:claims');

/** Records the verified claims for the request, and as `request.user` for code written for Passport. */
export function setClaims(request: HttpRequestLike, claims: JwtClaims): void {
  request.user = claims;
  request[CLAIMS] = claims;
}

/** The claims this library verified for the request, if any. */
export function claimsOf(request: HttpRequestLike | undefined): JwtClaims | undefined {
  return request?.[CLAIMS] as JwtClaims | undefined;
}
