import { AuthError } from '../errors/auth-error.js';
import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';
import { type ClaimPath, claimAt } from './claim-path.js';
import { scopesOf } from './scopes-of.util.js';

/**
 * A value `@Secured`'s `claims` may ask a claim to equal.
 * @publicApi
 */
export type ClaimValue = string | number | boolean;

/**
 * What a `@Secured` asks of a verified token beyond its authentication, compiled once when the decorator runs:
 * every listed scope, and every listed claim equal to its value. Checked on every request, cached tokens included;
 * exported for guards that call `RequestAuthenticator` themselves (`requirement.authorization?.refusalOf(claims)`).
 * @publicApi
 */
export class ClaimsAuthorization {
  constructor(
    /** The scopes the token must all grant, as written. */
    readonly scopes: readonly string[],
    /** The claims the token must hold, each with the value it must equal (`===`). */
    readonly claims: readonly (readonly [ClaimPath, ClaimValue])[],
  ) {}

  /** The refusal of `claims` (INSUFFICIENT_SCOPE before CLAIMS_NOT_ALLOWED), or `undefined` when they meet every condition. */
  refusalOf(claims: JwtClaims): AuthError | undefined {
    if (this.scopes.length > 0) {
      const granted = scopesOf(claims);
      if (!this.scopes.every((scope) => granted.has(scope))) return new AuthError('INSUFFICIENT_SCOPE');
    }
    for (const [path, value] of this.claims) {
      if (claimAt(claims, path) !== value) return new AuthError('CLAIMS_NOT_ALLOWED');
    }
    return undefined;
  }
}
