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

  /**
   * Why `claims` are refused, for the debug log: the scopes missing, or the first claim not equal, named as the
   * decorator names them; never a value of the token (a claim may be an e-mail address).
   */
  explain(claims: JwtClaims): string {
    const granted = scopesOf(claims);
    const missing = this.scopes.filter((scope) => !granted.has(scope));
    if (missing.length > 0) return `the token does not grant the scope${missing.length > 1 ? 's' : ''} ${missing.join(' ')} that @Secured asks for`;
    const failed = this.claims.find(([path, value]) => claimAt(claims, path) !== value);
    if (!failed) return 'the token meets the scopes and claims @Secured asks for';
    const [path, value] = failed;
    const found = claimAt(claims, path) === undefined ? 'the token has none' : 'the token has another value or type';
    return `@Secured asks for claim ${JSON.stringify(path.name)} to be ${JSON.stringify(value)}; ${found}`;
  }
}
