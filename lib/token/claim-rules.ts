import { AuthError, invalidToken } from '../errors/auth-error.js';
import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';

/**
 * ESPv2's time rule (jwt_verify_lib `verifyTimeConstraint`): `nbf` then `exp`, each with the skew. Stricter than
 * ESPv2: `exp` is required (ESPv2 lets a token without it, or with `exp: 0`, live forever); an `iat` beyond the skew
 * in the future is "not yet valid" (ESPv2 only type-checks it); and `requireIat` refuses a token without `iat`.
 */
export function checkTime(payload: JwtClaims, nowSeconds: number, skewSeconds: number, requireIat = false): void {
  if (payload.nbf !== undefined && nowSeconds + skewSeconds < Math.trunc(payload.nbf)) {
    throw new AuthError('TOKEN_NOT_YET_VALID');
  }
  // A token issued in the future comes from a wrong clock or a forger; either way it is not valid yet.
  if (payload.iat !== undefined && nowSeconds + skewSeconds < Math.trunc(payload.iat)) {
    throw new AuthError('TOKEN_NOT_YET_VALID');
  }
  if (requireIat && payload.iat === undefined) throw invalidToken('Jwt payload [iat] field is required');
  if (payload.exp === undefined || payload.exp === 0) throw invalidToken('Jwt payload [exp] field is required');
  if (nowSeconds > Math.trunc(payload.exp) + skewSeconds) throw new AuthError('TOKEN_EXPIRED');
}

/**
 * ESPv2's audience rule: any `aud` value, sanitised, in the allowed set; an empty set allows any token
 * (the service-name check was switched off). `allowed` is already sanitised.
 */
export function checkAudience(payload: JwtClaims, allowed: readonly string[]): void {
  if (allowed.length === 0) return;
  const aud = payload.aud;
  // A single `aud` (the usual case) is compared without wrapping it in a list.
  if (typeof aud === 'string' ? audienceAllowed(aud, allowed) : Array.isArray(aud) && aud.some((value) => audienceAllowed(value, allowed))) return;
  throw new AuthError('AUDIENCE_NOT_ALLOWED');
}

/** Whether `allowed` holds `value` sanitised, compared in place rather than on a sanitised copy. */
function audienceAllowed(value: string, allowed: readonly string[]): boolean {
  const start = value.startsWith('https://') ? 8 : value.startsWith('http://') ? 7 : 0;
  const length = value.length - start - (value.endsWith('/') && value.length > start ? 1 : 0);
  for (const audience of allowed) if (audience.length === length && value.startsWith(audience, start)) return true;
  return false;
}
