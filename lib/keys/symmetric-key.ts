import { createSecretKey } from 'node:crypto';
import { decodeBase64Url } from '../token/base64url.util.js';
import { HMAC_MIN_BYTES } from './algorithms.js';
import type { KeyRecord } from './key-record.interface.js';

/** The shortest HMAC secret accepted: 32 bytes, the output size of HS256's hash (RFC 7518 §3.2). */
export const MIN_HMAC_KEY_BYTES = HMAC_MIN_BYTES['HS256'];
const STANDARD_BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Whether `value` is an absolute http:// or https:// URL with a host (so it names a key server, not a key). */
export function isUrl(value: string): boolean {
  // The WHATWG parser would read `https:///host` as `https://host/` and trim spaces: only a plain host follows `//`.
  if (!/^https?:\/\/[^/\\?#@\s]/i.test(value) || /\s/.test(value)) return false;
  try {
    return new URL(value).hostname !== '';
  } catch {
    return false;
  }
}

/**
 * The HMAC key written as base64 (padded standard alphabet) or base64url directly in `x-google-jwks_uri`, for the
 * HS algorithms its length allows; undefined when the value is a URL or not canonical base64 (a value with two spellings, or
 * surrounding whitespace, is not taken as a key by accident).
 */
export function symmetricKeyFromSpec(value: string): KeyRecord | undefined {
  if (value === '' || isUrl(value)) return undefined;
  // The token reader's base64url: padding, when written, is exactly what the length needs.
  const secret = decodeStandard(value) ?? decodeBase64Url(value);
  if (secret === undefined || secret.length === 0) return undefined;
  // No kid: the secret belongs to one definition, so it serves every token routed to it whatever its kid.
  const algorithms = Object.keys(HMAC_MIN_BYTES).filter((alg) => secret.length >= HMAC_MIN_BYTES[alg]);
  return { key: createSecretKey(secret), algorithms: new Set(algorithms) };
}

/** Whether `record` is an HMAC secret shorter than `MIN_HMAC_KEY_BYTES` (a placeholder such as "TODO" decodes to one). */
export function isWeakSecret(record: KeyRecord): boolean {
  return record.key.type === 'secret' && (record.key.symmetricKeySize ?? 0) < MIN_HMAC_KEY_BYTES;
}

function decodeStandard(value: string): Buffer | undefined {
  if (!STANDARD_BASE64.test(value)) return undefined;
  const bytes = Buffer.from(value, 'base64');
  return bytes.toString('base64') === value ? bytes : undefined;
}
