import { invalidToken } from '../errors/auth-error.js';
import { decodeBase64Url } from './base64url.util.js';
import type { ParsedJwt } from './parsed-jwt.interface.js';
import { SIGNATURE_REMOVED_BY_GOOGLE, SIGNATURE_REMOVED_MESSAGE } from './signature-removed.js';

/** The algorithms ESPv2 parses (jwt_verify_lib); anything else, `none` included, is refused. */
const SUPPORTED_ALGORITHMS = new Set([
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512', 'EdDSA',
]);
const MAX_KID_LENGTH = 256;
// `ignoreBOM` keeps a byte-order mark in the text, so JSON.parse refuses it: one token, one spelling.
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * Reads a compact JWS with jwt_verify_lib's checks and messages, stricter where the design says so: exactly three
 * segments, strict base64url, UTF-8 JSON, `crit` refused. Throws an `AuthError`; never echoes the token.
 */
export function parseJwt(raw: string, maxTokenBytes: number): ParsedJwt {
  // UTF-8 takes one to three bytes per UTF-16 unit: only a token near the bound needs its bytes counted.
  if (raw.length > maxTokenBytes || (raw.length * 3 > maxTokenBytes && Buffer.byteLength(raw) > maxTokenBytes)) {
    throw invalidToken(`Jwt is larger than ${maxTokenBytes} bytes`);
  }
  const segments = raw.split('.');
  if (segments.length !== 3 || segments.some((segment) => segment === '')) {
    throw invalidToken('Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections');
  }
  if (segments[2] === SIGNATURE_REMOVED_BY_GOOGLE) throw invalidToken(SIGNATURE_REMOVED_MESSAGE);
  const header = readJson(segments[0], 'header');
  if (typeof header['alg'] !== 'string') throw invalidToken('Jwt header [alg] field is required and must be a string');
  if (!SUPPORTED_ALGORITHMS.has(header['alg'])) throw invalidToken('Jwt header [alg] is not supported');
  if (header['kid'] !== undefined && (typeof header['kid'] !== 'string' || header['kid'].length > MAX_KID_LENGTH)) {
    throw invalidToken('Jwt header [kid] field is not a string');
  }
  // No extension is understood, so any critical one must fail (RFC 7515 §4.1.11).
  if (header['crit'] !== undefined) throw invalidToken('Jwt header [crit] is not supported');
  const payload = readJson(segments[1], 'payload');
  checkClaimTypes(payload);
  const signature = decodeBase64Url(segments[2]);
  if (!signature) throw invalidToken('Jwt signature is an invalid Base64url encoded');
  return {
    raw,
    header: header as ParsedJwt['header'],
    payload: payload as ParsedJwt['payload'],
    // A slice of the token, not a concatenation: Buffer.from() would flatten a concatenation into a copy first.
    signingInput: raw.slice(0, segments[0].length + 1 + segments[1].length),
    signature,
  };
}

function readJson(segment: string, part: 'header' | 'payload'): Record<string, unknown> {
  const bytes = decodeBase64Url(segment);
  if (!bytes) throw invalidToken(`Jwt ${part} is an invalid Base64url encoded`);
  let value: unknown;
  try {
    const text = utf8.decode(bytes);
    // JSON can spell the key `__proto__` only literally or with \u escapes; the reviver, four times slower than a
    // plain parse, runs only when one of them is in the text.
    value = text.includes('__proto__') || text.includes('\\u') ? JSON.parse(text, refusePrototypeKeys) : JSON.parse(text);
  } catch {
    throw invalidToken(`Jwt ${part} is an invalid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidToken(`Jwt ${part} is an invalid JSON`);
  return value as Record<string, unknown>;
}

/**
 * `__proto__` in JSON becomes an own property that re-parents any object the claims are later copied into
 * (`Object.assign({}, user)`): such a token is refused, even when its issuer signed it.
 */
function refusePrototypeKeys(key: string, value: unknown): unknown {
  if (key === '__proto__') throw new Error('prototype key');
  return value;
}

function checkClaimTypes(payload: Record<string, unknown>): void {
  for (const claim of ['iss', 'sub', 'jti']) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'string') {
      throw invalidToken(`Jwt payload [${claim}] field is not a string`);
    }
  }
  for (const claim of ['iat', 'nbf', 'exp']) {
    const value = payload[claim];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw invalidToken(`Jwt payload [${claim}] field is not an integer`);
    if (value < 0 || value >= 2 ** 64) throw invalidToken(`Jwt payload [${claim}] field is not a positive 64 bit integer`);
  }
  const aud = payload['aud'];
  if (aud !== undefined && typeof aud !== 'string' && !(Array.isArray(aud) && aud.every((a) => typeof a === 'string'))) {
    throw invalidToken('Jwt payload [aud] field is not a string or string list');
  }
}
