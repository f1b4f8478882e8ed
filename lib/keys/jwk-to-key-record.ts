import { createPublicKey } from 'node:crypto';
import { EC_ALGORITHM_BY_CURVE, RSA_ALGORITHMS, rsaKeyProblem } from './algorithms.js';
import type { KeyRecord } from './key-record.interface.js';

/** A key, or why a JWK from a remote set is not used (for a log line; never key material). */
export type JwkResult = { record: KeyRecord } | { skipped: string };

/**
 * Parses one member of a remote JWKS into a `KeyRecord`. Private keys, symmetric keys (a remote set never yields an
 * HMAC key), encryption keys, RSA under 2048 bits and keys whose `alg` contradicts their type are skipped.
 */
export function jwkToKeyRecord(jwk: unknown): JwkResult {
  if (typeof jwk !== 'object' || jwk === null || Array.isArray(jwk)) return { skipped: 'not an object' };
  const member = jwk as Record<string, unknown>;
  // A kid that is not a string would otherwise become "no kid", a key that matches every token's kid.
  if (member['kid'] !== undefined && typeof member['kid'] !== 'string') return { skipped: 'kid is not a string' };
  const kid = member['kid'] as string | undefined;
  const alg = typeof member['alg'] === 'string' ? member['alg'] : undefined;
  if (member['d'] !== undefined) return { skipped: 'has a private part' };
  if (member['use'] !== undefined && member['use'] !== 'sig') return { skipped: `use is "${String(member['use'])}"` };
  if (Array.isArray(member['key_ops']) && !member['key_ops'].includes('verify')) return { skipped: 'key_ops lacks verify' };
  let candidates: readonly string[];
  if (member['kty'] === 'RSA') candidates = RSA_ALGORITHMS;
  else if (member['kty'] === 'EC' && typeof member['crv'] === 'string' && EC_ALGORITHM_BY_CURVE[member['crv']]) {
    candidates = [EC_ALGORITHM_BY_CURVE[member['crv']]];
  } else return { skipped: `key type ${String(member['kty'])}${member['crv'] ? `/${String(member['crv'])}` : ''} is not supported` };
  if (alg !== undefined && !candidates.includes(alg)) return { skipped: `alg ${alg} does not fit the key type` };
  try {
    const key = createPublicKey({ key: member as import('node:crypto').JsonWebKey, format: 'jwk' });
    const problem = member['kty'] === 'RSA' ? rsaKeyProblem(key) : undefined;
    if (problem) return { skipped: problem };
    return { record: { kid, key, algorithms: new Set(alg ? [alg] : candidates) } };
  } catch {
    return { skipped: 'invalid key parameters' };
  }
}
