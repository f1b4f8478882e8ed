import { constants, createHmac, timingSafeEqual, verify } from 'node:crypto';
import type { ParsedJwt } from '../token/parsed-jwt.interface.js';
import type { KeyRecord } from './key-record.interface.js';

/** The exact length of a P1363 ECDSA signature for each curve's algorithm. */
const ECDSA_SIGNATURE_BYTES: Record<string, number> = { ES256: 64, ES384: 96, ES512: 132 };
const ED25519_SIGNATURE_BYTES = 64;
/** The digest each algorithm names, looked up rather than spelled per call. */
const HASH_OF_ALG: Record<string, string> = {
  RS256: 'sha256', RS384: 'sha384', RS512: 'sha512', PS256: 'sha256', PS384: 'sha384', PS512: 'sha512',
  ES256: 'sha256', ES384: 'sha384', ES512: 'sha512', HS256: 'sha256', HS384: 'sha384', HS512: 'sha512',
};

// The signing input's bytes, written into one buffer that every call reuses (the checks are synchronous): a new
// Buffer per call cost a share of Buffer's pool, refilled every few tokens, and more than the write itself.
let scratch = Buffer.allocUnsafeSlow(4096);
/** The largest buffer kept between calls: a bigger signing input (`maxTokenBytes` raised) gets a buffer of its own. */
const KEPT_BYTES = 64 * 1024;

/** The signing input as UTF-8 bytes (ASCII, once parsed), in the shared buffer, valid until the next call. */
function signingBytes(signingInput: string): Buffer {
  // UTF-8 takes at most three bytes per UTF-16 unit.
  const capacity = signingInput.length * 3;
  if (scratch.length < capacity && capacity <= KEPT_BYTES) scratch = Buffer.allocUnsafeSlow(capacity);
  // One oversized token must not pin its size for the life of the process.
  const bytes = scratch.length < capacity ? Buffer.allocUnsafe(capacity) : scratch;
  return bytes.subarray(0, bytes.write(signingInput, 0, capacity, 'utf8'));
}

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
  const data = signingBytes(jwt.signingInput);
  if (alg.startsWith('HS')) {
    const mac = createHmac(HASH_OF_ALG[alg], record.key).update(data).digest();
    return mac.length === jwt.signature.length && timingSafeEqual(mac, jwt.signature);
  }
  // Ed25519 hashes inside the primitive, so no digest is named (RFC 8037 §3.1).
  if (alg === 'EdDSA') return jwt.signature.length === ED25519_SIGNATURE_BYTES && verify(null, data, record.key, jwt.signature);
  const hash = HASH_OF_ALG[alg];
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
