import type { AuthError } from '../errors/auth-error.js';
import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';
import type { ParsedJwt } from '../token/parsed-jwt.interface.js';

/**
 * Checks a definition's settings add to ESP's (the Firebase profile): `check` once per token, when it is verified,
 * so a cached token does not pay again; `recheck` on every request, cache hits included.
 */
export interface TokenProfile {
  /** What the start-up log says about it. */
  readonly description: string;
  /** Throws the `AuthError` of a token ESP's claim checks passed but the profile refuses; runs before the signature. */
  check(jwt: ParsedJwt, nowSeconds: number, skewSeconds: number): void;
  /** The refusal of verified claims, decided anew on each request; synchronous when the answer is at hand. */
  recheck?(claims: JwtClaims): AuthError | undefined | Promise<AuthError | undefined>;
}
