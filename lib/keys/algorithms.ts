import type { KeyObject } from 'node:crypto';

/** The token algorithms an RSA key serves (PKCS#1 v1.5 and PSS, the hash from the suffix). */
export const RSA_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512'] as const;

/** The one token algorithm each EC curve serves. */
export const EC_ALGORITHM_BY_CURVE: Readonly<Record<string, string>> = { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' };

/** The one token algorithm each OKP curve serves: Ed25519 only, as jwt_verify_lib (Ed448 has no JWS use there). */
export const OKP_ALGORITHM_BY_CURVE: Readonly<Record<string, string>> = { Ed25519: 'EdDSA' };

/** The HMAC algorithms and the least secret length each needs (RFC 7518 §3.2: at least the hash's output). */
export const HMAC_MIN_BYTES: Readonly<Record<string, number>> = { HS256: 32, HS384: 48, HS512: 64 };

const MIN_RSA_BITS = 2048;

/**
 * Why an RSA key is not used, whatever format carried it (JWK or certificate): under 2048 bits, or a public
 * exponent other than 3 or 65537 (the only ones jwt_verify_lib accepts, jwks.cc); `undefined` when it is fine.
 */
export function rsaKeyProblem(key: KeyObject): string | undefined {
  const bits = key.asymmetricKeyDetails?.modulusLength;
  if (bits === undefined || bits < MIN_RSA_BITS) return `RSA key of ${bits} bits`;
  const exponent = key.asymmetricKeyDetails?.publicExponent;
  return exponent === 3n || exponent === 65537n ? undefined : 'RSA exponent is not 3 or 65537';
}
