import { constants, createHmac, timingSafeEqual, verify } from 'node:crypto';
import type { ParsedJwt } from '../token/parsed-jwt.interface.js';
import type { KeyRecord } from './key-record.interface.js';

/** The exact length of a P1363 ECDSA signature for each curve's algorithm. */
const ECDSA_SIGNATURE_BYTES: Record<string, number> = { ES256: 64, ES384: 96, ES512: 132 };
const ED25519_SIGNATURE_BYTES = 64;

/**
 * Whether `record` verifies the token's signature, with the primitive chosen by the key's type and the hash by the
 * token's `alg` (already checked against the key). Used to pick among several candidate keys.
 */
export function verifySignature(jwt: ParsedJwt, record: KeyRecord): boolean {
  try {
    return verifyWith(jwt, record);
  } catch {
    // A key the primitive cannot use (already filtered out by selectKeys) is a key that does not verify.
    return false;
  }
}

function verifyWith(jwt: ParsedJwt, record: KeyRecord): boolean {
  const alg = jwt.header.alg;
  if (alg.startsWith('HS')) {
    const mac = createHmac(`sha${alg.slice(2)}`, record.key).update(jwt.signingInput).digest();
    return mac.length === jwt.signature.length && timingSafeEqual(mac, jwt.signature);
  }
  const data = Buffer.from(jwt.signingInput);
  // Ed25519 hashes inside the primitive, so no digest is named (RFC 8037 §3.1).
  if (alg === 'EdDSA') return jwt.signature.length === ED25519_SIGNATURE_BYTES && verify(null, data, record.key, jwt.signature);
  const hash = `sha${alg.slice(2)}`;
  if (alg.startsWith('ES')) {
    if (jwt.signature.length !== ECDSA_SIGNATURE_BYTES[alg]) return false;
    return verify(hash, data, { key: record.key, dsaEncoding: 'ieee-p1363' }, jwt.signature);
  }
  if (alg.startsWith('PS')) {
    const options = { key: record.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST };
    return verify(hash, data, options, jwt.signature);
  }
  return verify(hash, data, record.key, jwt.signature);
}
