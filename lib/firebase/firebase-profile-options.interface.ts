import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';

/**
 * Decides whether a verified Firebase token was revoked: `true` refuses it (TOKEN_REVOKED), `false` lets it pass, and
 * a throw, a rejection, any other answer or none within 10 s refuses it as unverifiable (REVOCATION_UNAVAILABLE).
 * @publicApi
 */
export type FirebaseRevocationCheck = (claims: JwtClaims) => boolean | Promise<boolean>;

/**
 * Firebase Admin's checks of `verifyIdToken` / `verifySessionCookie` on top of ESP's, for one definition whose issuer
 * is `https://securetoken.google.com/<project>` or `https://session.firebase.google.com/<project>` (docs/firebase.md).
 * @publicApi
 */
export interface FirebaseProfileOptions {
  /** The Identity Platform tenants whose users may call: `firebase.tenant` must be one of them [any, tenant or not]. */
  tenants?: readonly string[];
  /** Asked after the signature and claims pass, on every request, with its verdict cached per (tenant, `sub`, `iat`, `auth_time`) [none]. */
  checkRevoked?: FirebaseRevocationCheck;
  /** How long a `checkRevoked` verdict is reused for the same (tenant, `sub`, `iat`, `auth_time`), in seconds, 0 to 3600 (0: ask every time) [60]. */
  revocationCacheSeconds?: number;
  /** The most `checkRevoked` verdicts kept; the least recently used go first [10000]. */
  revocationCacheMaxEntries?: number;
}

/**
 * `FirebaseProfileOptions` with its defaults filled in, as the module uses them.
 */
export interface ResolvedFirebaseProfile {
  /** The tenants allowed, or `undefined` for any. */
  tenants?: ReadonlySet<string>;
  /** The revocation check, if any. */
  checkRevoked?: FirebaseRevocationCheck;
  /** Milliseconds a verdict is reused. */
  revocationTtlMs: number;
  /** The most verdicts kept. */
  revocationMaxEntries: number;
}
