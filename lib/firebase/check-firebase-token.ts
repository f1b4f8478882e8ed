import { AuthError } from '../errors/auth-error.js';
import type { ParsedJwt } from '../token/parsed-jwt.interface.js';

/** What Firebase Admin's `verifyIdToken` holds a token to, for one project (firebase-admin-node `verifyContent`). */
export interface FirebaseTokenRules {
  /** The project ID: the only audience, and the end of the issuer ESP's check already held the token to. */
  project: string;
  /** The tenants allowed, or `undefined` for any. */
  tenants?: ReadonlySet<string>;
}

/** Firebase Admin's limit on a uid, which `sub` carries. */
const MAX_SUB_LENGTH = 128;

/**
 * Firebase Admin's checks that ESP lacks, after ESP's issuer, time and audience checks and before any key is looked
 * at: a `kid`, RS256, `aud` exactly the project (a string, compared as is: ESP's own check strips `https://` and
 * accepts a list), a uid-shaped `sub`, an `auth_time` in the past and, with `tenants`, a listed `firebase.tenant`.
 * `iss` needs no check of its own: ESP's is exact, and the definition's issuer names this project.
 */
export function checkFirebaseToken(jwt: ParsedJwt, rules: FirebaseTokenRules, nowSeconds: number, skewSeconds: number): void {
  const { header, payload } = jwt;
  if (header.kid === undefined) throw firebaseInvalid('Jwt header [kid] field is required');
  if (header.alg !== 'RS256') throw firebaseInvalid('Jwt header [alg] must be RS256');
  if (payload.aud !== rules.project) throw new AuthError('FIREBASE_AUDIENCE_NOT_ALLOWED');
  const { sub } = payload;
  if (typeof sub !== 'string' || sub === '' || sub.length > MAX_SUB_LENGTH) {
    throw firebaseInvalid(`Jwt payload [sub] field must be a non-empty string of at most ${MAX_SUB_LENGTH} characters`);
  }
  const authTime = payload['auth_time'];
  if (typeof authTime !== 'number' || !Number.isFinite(authTime)) {
    throw firebaseInvalid('Jwt payload [auth_time] field is required and must be a number');
  }
  // A sign-in after the token was checked is as impossible as an `iat` in the future: the same skew applies.
  if (nowSeconds + skewSeconds < authTime) throw firebaseInvalid('Jwt payload [auth_time] is in the future');
  if (!rules.tenants) return;
  const tenant = tenantOf(payload['firebase']);
  if (tenant === undefined || !rules.tenants.has(tenant)) throw new AuthError('TENANT_NOT_ALLOWED');
}

/** `firebase.tenant`, when the token names one as a string (Identity Platform tenants). */
export function tenantOf(firebase: unknown): string | undefined {
  if (typeof firebase !== 'object' || firebase === null) return undefined;
  const tenant = (firebase as Record<string, unknown>)['tenant'];
  return typeof tenant === 'string' ? tenant : undefined;
}

function firebaseInvalid(message: string): AuthError {
  return new AuthError('FIREBASE_TOKEN_INVALID', message);
}
