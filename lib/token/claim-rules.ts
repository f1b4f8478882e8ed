import { AuthError, invalidToken } from '../errors/auth-error.js';
import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';
import { sanitizeAudience } from './audience.util.js';

/**
 * ESPv2's time rule (jwt_verify_lib `verifyTimeConstraint`): `nbf` then `exp`, each with the skew; stricter than
 * ESPv2 in one way, `exp` is required (ESPv2 lets a token without it, or with `exp: 0`, live forever).
 */
export function checkTime(payload: JwtClaims, nowSeconds: number, skewSeconds: number): void {
  if (payload.nbf !== undefined && nowSeconds + skewSeconds < Math.trunc(payload.nbf)) {
    throw new AuthError('TOKEN_NOT_YET_VALID');
  }
  if (payload.exp === undefined || payload.exp === 0) throw invalidToken('Jwt payload [exp] field is required');
  if (nowSeconds > Math.trunc(payload.exp) + skewSeconds) throw new AuthError('TOKEN_EXPIRED');
}

/**
 * ESPv2's audience rule: any `aud` value, sanitised, in the allowed set; an empty set allows any token
 * (the service-name check was switched off). `allowed` is already sanitised.
 */
export function checkAudience(payload: JwtClaims, allowed: readonly string[]): void {
  if (allowed.length === 0) return;
  const values = payload.aud === undefined ? [] : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!values.some((value) => allowed.includes(sanitizeAudience(value)))) throw new AuthError('AUDIENCE_NOT_ALLOWED');
}
