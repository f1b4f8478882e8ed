import { X509Certificate } from 'node:crypto';
import { jwkToKeyRecord } from './jwk-to-key-record.js';
import { RSA_ALGORITHMS, rsaKeyProblem } from './algorithms.js';
import type { KeyRecord } from './key-record.interface.js';
// jwt_verify_lib recognises a map only when every value is framed exactly like this (jwks.cc `shouldCheckX509`).
const CERT_PREFIX = '-----BEGIN CERTIFICATE-----\n';
const CERT_SUFFIX = '\n-----END CERTIFICATE-----\n';

/**
 * The most members a key set may hold; the first ones in document order are read, the rest dropped unread. Google,
 * Auth0 and Firebase serve 2 to 5 keys (a few more during a rotation), so 100 is ample headroom while it bounds the
 * parse (100 `KeyObject`s: milliseconds) of a set a key server pads out to the body cap (7,000 P-256 keys in 1 MiB).
 */
export const MAX_KEYS_PER_SET = 100;

/** A key that was left out of a document, and why (for a log line; never key material). */
export interface SkippedKey {
  kid?: string;
  reason: string;
}

/** The usable keys of a key document, the members that were left out, and how many were dropped over the cap. */
export interface ParsedKeyDocument {
  records: KeyRecord[];
  skipped: SkippedKey[];
  /** Members past `MAX_KEYS_PER_SET`, never parsed. */
  dropped: number;
}

/**
 * Reads a key document the way ESPv2 detects its format (jwks.cc `createFromJwksCore`): a JWKS when it has `keys`,
 * else Google's X.509 certificate map when every member is a PEM certificate (RSA only, as ESPv2), else it throws.
 * A document whose every key is skipped still parses (empty `records`): the caller decides whether that is a failed
 * fetch. Only the first `MAX_KEYS_PER_SET` members are parsed (a map's in the order `JSON.parse` keeps, which puts
 * integer-like kids first).
 */
export function parseKeyDocument(document: unknown): ParsedKeyDocument {
  if (typeof document !== 'object' || document === null || Array.isArray(document)) throw notAKeyDocument();
  const members = document as Record<string, unknown>;
  if (Object.hasOwn(members, 'keys')) return parseJwks(members['keys']);
  const entries = Object.entries(members);
  if (entries.length === 0 || !entries.every(([kid, value]) => kid !== '' && isFramedCertificate(value))) {
    throw notAKeyDocument();
  }
  const parsed: ParsedKeyDocument = { records: [], skipped: [], dropped: Math.max(0, entries.length - MAX_KEYS_PER_SET) };
  for (const [kid, pem] of entries.slice(0, MAX_KEYS_PER_SET)) {
    const result = certificateToKeyRecord(kid, pem as string);
    if ('record' in result) parsed.records.push(result.record);
    else parsed.skipped.push({ kid, reason: result.skipped });
  }
  return parsed;
}

function parseJwks(keys: unknown): ParsedKeyDocument {
  // ESPv2 refuses a `keys` that is not a list (JwksBadKeys) and a set without keys (JwksNoValidKeys).
  if (!Array.isArray(keys)) throw new Error('the JWKS member "keys" is not an array');
  if (keys.length === 0) throw new Error('the JWKS has an empty "keys" list');
  const parsed: ParsedKeyDocument = { records: [], skipped: [], dropped: Math.max(0, keys.length - MAX_KEYS_PER_SET) };
  // The cap applies before any key is built, so a padded set costs no more than a set of MAX_KEYS_PER_SET.
  for (const jwk of keys.slice(0, MAX_KEYS_PER_SET)) {
    const result = jwkToKeyRecord(jwk);
    if ('record' in result) parsed.records.push(result.record);
    else parsed.skipped.push({ kid: kidOf(jwk), reason: result.skipped });
  }
  return parsed;
}

function isFramedCertificate(value: unknown): boolean {
  return typeof value === 'string' && value.startsWith(CERT_PREFIX) && value.endsWith(CERT_SUFFIX);
}

/**
 * Validity dates are not checked: ESP does not, and Google keeps serving a certificate past its `notAfter` while
 * tokens signed with its key are still live.
 */
function certificateToKeyRecord(kid: string, pem: string): { record: KeyRecord } | { skipped: string } {
  // Only the first block would be read; a member carrying several is ambiguous, so none of it is used.
  if (pem.indexOf('-----BEGIN', 1) !== -1) return { skipped: 'more than one PEM block' };
  let key;
  try {
    key = new X509Certificate(pem).publicKey;
  } catch {
    return { skipped: 'invalid certificate' };
  }
  // jwt_verify_lib refuses the whole map for one non-RSA certificate (`rsa-pss` included: EVP_PKEY_get1_RSA fails
  // for it); accepting the other kids would accept what ESP rejects.
  if (key.asymmetricKeyType !== 'rsa') {
    throw new Error(`the certificate "${kid.slice(0, 64)}" holds a ${String(key.asymmetricKeyType)} key; a certificate map must be RSA only`);
  }
  // The same rules and algorithms as an RSA JWK without `alg`, so both formats serve the same tokens.
  const problem = rsaKeyProblem(key);
  return problem ? { skipped: problem } : { record: { kid, key, algorithms: new Set(RSA_ALGORITHMS) } };
}

function kidOf(jwk: unknown): string | undefined {
  const kid = (jwk as { kid?: unknown } | null)?.kid;
  return typeof kid === 'string' ? kid : undefined;
}

function notAKeyDocument(): Error {
  return new Error('not a JWKS or an X.509 certificate map');
}
