import { invalidToken } from '../errors/auth-error.js';
import { decodeBase64Url } from './base64url.util.js';
import { NOT_BASE64URL, NOT_UTF8, decodeBase64UrlText } from './base64url-text.util.js';
import type { ParsedJwt } from './parsed-jwt.interface.js';
import { SIGNATURE_REMOVED_BY_GOOGLE, SIGNATURE_REMOVED_MESSAGE } from './signature-removed.js';

/** The algorithms ESPv2 parses (jwt_verify_lib); anything else, `none` included, is refused. */
const SUPPORTED_ALGORITHMS = new Set([
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512', 'EdDSA',
]);
const MAX_KID_LENGTH = 256;
const STRING_CLAIMS = ['iss', 'sub', 'jti'] as const;
const TIME_CLAIMS = ['iat', 'nbf', 'exp'] as const;

/**
 * Reads a compact JWS with jwt_verify_lib's checks and messages, stricter where the design says so: exactly three
 * segments, strict base64url, UTF-8 JSON, `crit` refused. Throws an `AuthError`; never echoes the token.
 */
export function parseJwt(raw: string, maxTokenBytes: number): ParsedJwt {
  // UTF-8 takes one to three bytes per UTF-16 unit: only a token near the bound needs its bytes counted.
  if (raw.length > maxTokenBytes || (raw.length * 3 > maxTokenBytes && Buffer.byteLength(raw) > maxTokenBytes)) {
    throw invalidToken(`Jwt is larger than ${maxTokenBytes} bytes`);
  }
  // The two dots found in place: no array of segments. Each segment must be non-empty, and no third dot may follow.
  const first = raw.indexOf('.');
  const second = first === -1 ? -1 : raw.indexOf('.', first + 1);
  if (first <= 0 || second <= first + 1 || second === raw.length - 1 || raw.indexOf('.', second + 1) !== -1) {
    throw invalidToken('Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections');
  }
  const signatureSegment = raw.slice(second + 1);
  if (signatureSegment === SIGNATURE_REMOVED_BY_GOOGLE) throw invalidToken(SIGNATURE_REMOVED_MESSAGE);
  const header = readJson(raw.slice(0, first), 'header');
  if (typeof header['alg'] !== 'string') throw invalidToken('Jwt header [alg] field is required and must be a string');
  if (!SUPPORTED_ALGORITHMS.has(header['alg'])) throw invalidToken('Jwt header [alg] is not supported');
  if (header['kid'] !== undefined && (typeof header['kid'] !== 'string' || header['kid'].length > MAX_KID_LENGTH)) {
    throw invalidToken('Jwt header [kid] field is not a string');
  }
  // No extension is understood, so any critical one must fail (RFC 7515 §4.1.11).
  if (header['crit'] !== undefined) throw invalidToken('Jwt header [crit] is not supported');
  const payload = readJson(raw.slice(first + 1, second), 'payload');
  checkClaimTypes(payload);
  const signature = decodeBase64Url(signatureSegment);
  if (!signature) throw invalidToken('Jwt signature is an invalid Base64url encoded');
  return {
    raw,
    header: header as ParsedJwt['header'],
    payload: payload as ParsedJwt['payload'],
    // A slice of the token, not a concatenation: Buffer.from() would flatten a concatenation into a copy first.
    signingInput: raw.slice(0, second),
    signature,
  };
}

function readJson(segment: string, part: 'header' | 'payload'): Record<string, unknown> {
  const text = decodeBase64UrlText(segment);
  if (text === NOT_BASE64URL) throw invalidToken(`Jwt ${part} is an invalid Base64url encoded`);
  if (text === NOT_UTF8) throw invalidToken(`Jwt ${part} is an invalid JSON`);
  let value: unknown;
  try {
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
  for (const claim of STRING_CLAIMS) {
    if (payload[claim] !== undefined && typeof payload[claim] !== 'string') {
      throw invalidToken(`Jwt payload [${claim}] field is not a string`);
    }
  }
  for (const claim of TIME_CLAIMS) {
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
