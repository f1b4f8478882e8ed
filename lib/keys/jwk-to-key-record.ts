import { type JsonWebKey, createPublicKey } from 'node:crypto';
import { decodeBase64Url } from '../token/base64url.util.js';
import { EC_ALGORITHM_BY_CURVE, OKP_ALGORITHM_BY_CURVE, RSA_ALGORITHMS, rsaKeyProblem } from './algorithms.js';
import type { KeyRecord } from './key-record.interface.js';

/** A key, or why a JWK from a remote set is not used (for a log line; never key material). */
export type JwkResult = { record: KeyRecord } | { skipped: string };

/** The members that carry a key's value, per key type: read as strict base64url, as jwt_verify_lib reads them. */
const KEY_MEMBERS: Readonly<Record<string, readonly string[]>> = { RSA: ['n', 'e'], EC: ['x', 'y'], OKP: ['x'] };

/**
 * Parses one member of a remote JWKS into a `KeyRecord`. Private keys, symmetric keys (a remote set never yields an
 * HMAC key), encryption keys, RSA under 2048 bits, keys whose `alg` contradicts their type and keys whose `n`, `e`,
 * `x` or `y` is not strict base64url are skipped.
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
  const candidates = algorithmsOf(member);
  if (!candidates) return { skipped: `key type ${String(member['kty'])}${member['crv'] ? `/${String(member['crv'])}` : ''} is not supported` };
  if (alg !== undefined && !candidates.includes(alg)) return { skipped: `alg ${alg} does not fit the key type` };
  const canonical = canonicalJwk(member);
  if (typeof canonical === 'string') return { skipped: canonical };
  try {
    const key = createPublicKey({ key: canonical, format: 'jwk' });
    const problem = member['kty'] === 'RSA' ? rsaKeyProblem(key) : undefined;
    if (problem) return { skipped: problem };
    return { record: { kid, key, algorithms: new Set(alg ? [alg] : candidates) } };
  } catch {
    return { skipped: 'invalid key parameters' };
  }
}

/**
 * The key's type, curve and value members, each value decoded by the tokens' strict base64url reader and written
 * again unpadded; or why a member is refused. Node's JWK import decodes leniently (the standard alphabet, stray
 * characters), so it only ever sees canonical members: a key ESPv2 refuses is never used here.
 */
function canonicalJwk(member: Record<string, unknown>): JsonWebKey | string {
  const kty = member['kty'] as string;
  const canonical: JsonWebKey = kty === 'RSA' ? { kty } : { kty, crv: member['crv'] as string };
  for (const name of KEY_MEMBERS[kty]) {
    const value = member[name];
    if (value === undefined) return `${name} is missing`;
    if (typeof value !== 'string') return `${name} is not a string`;
    const bytes = decodeBase64Url(value);
    if (bytes === undefined) return `${name} is not base64url`;
    canonical[name] = bytes.toString('base64url');
  }
  return canonical;
}

/** The algorithms a key's type and curve can serve; `undefined` for a type a remote set may not carry. */
function algorithmsOf(member: Record<string, unknown>): readonly string[] | undefined {
  const curve = typeof member['crv'] === 'string' ? member['crv'] : '';
  switch (member['kty']) {
    case 'RSA':
      return RSA_ALGORITHMS;
    case 'EC':
      return Object.hasOwn(EC_ALGORITHM_BY_CURVE, curve) ? [EC_ALGORITHM_BY_CURVE[curve]] : undefined;
    case 'OKP':
      return Object.hasOwn(OKP_ALGORITHM_BY_CURVE, curve) ? [OKP_ALGORITHM_BY_CURVE[curve]] : undefined;
    default:
      return undefined;
  }
}
