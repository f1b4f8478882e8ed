/**
 * The token reader as it was before issue 18 (lib/token/parse-jwt.ts and base64url.util.ts at 7b18172), kept verbatim
 * in behaviour as the differential oracle: a Buffer per segment, a fatal TextDecoder, `split('.')`. Only the imports
 * moved; the messages and checks are the old ones.
 */
import { invalidToken } from '../../lib/errors/auth-error.js';
import { SIGNATURE_REMOVED_BY_GOOGLE, SIGNATURE_REMOVED_MESSAGE } from '../../lib/token/signature-removed.js';

const SUPPORTED_ALGORITHMS = new Set([
  'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512', 'EdDSA',
]);
const MAX_KID_LENGTH = 256;
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** What the old reader answered: the parsed parts, or the refusal's message. */
export interface ReferenceReading {
  header: unknown;
  payload: unknown;
  signingInput: string;
  signature: Buffer;
}

/** The old `decodeBase64Url` (a new Buffer per segment, strict by re-encoding). */
export function referenceDecodeBase64Url(segment: string): Buffer | undefined {
  if (segment.charCodeAt(segment.length - 1) === 61) return decodePadded(segment);
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

function decodePadded(segment: string): Buffer | undefined {
  const unpadded = segment.charCodeAt(segment.length - 2) === 61 ? segment.slice(0, -2) : segment.slice(0, -1);
  if ((unpadded.length + (segment.length - unpadded.length)) % 4 !== 0 || unpadded.length % 4 === 0) return undefined;
  const bytes = Buffer.from(unpadded, 'base64url');
  return bytes.toString('base64url') === unpadded ? bytes : undefined;
}

/** The old `parseJwt`. */
export function referenceParseJwt(raw: string, maxTokenBytes: number): ReferenceReading {
  if (raw.length > maxTokenBytes || (raw.length * 3 > maxTokenBytes && Buffer.byteLength(raw) > maxTokenBytes)) {
    throw invalidToken(`Jwt is larger than ${maxTokenBytes} bytes`);
  }
  const segments = raw.split('.');
  if (segments.length !== 3 || segments.some((segment) => segment === '')) {
    throw invalidToken('Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections');
  }
  if (segments[2] === SIGNATURE_REMOVED_BY_GOOGLE) throw invalidToken(SIGNATURE_REMOVED_MESSAGE);
  const header = readJson(segments[0]!, 'header');
  if (typeof header['alg'] !== 'string') throw invalidToken('Jwt header [alg] field is required and must be a string');
  if (!SUPPORTED_ALGORITHMS.has(header['alg'])) throw invalidToken('Jwt header [alg] is not supported');
  if (header['kid'] !== undefined && (typeof header['kid'] !== 'string' || header['kid'].length > MAX_KID_LENGTH)) {
    throw invalidToken('Jwt header [kid] field is not a string');
  }
  if (header['crit'] !== undefined) throw invalidToken('Jwt header [crit] is not supported');
  const payload = readJson(segments[1]!, 'payload');
  checkClaimTypes(payload);
  const signature = referenceDecodeBase64Url(segments[2]!);
  if (!signature) throw invalidToken('Jwt signature is an invalid Base64url encoded');
  return { header, payload, signingInput: raw.slice(0, segments[0]!.length + 1 + segments[1]!.length), signature };
}

function readJson(segment: string, part: 'header' | 'payload'): Record<string, unknown> {
  const bytes = referenceDecodeBase64Url(segment);
  if (!bytes) throw invalidToken(`Jwt ${part} is an invalid Base64url encoded`);
  let value: unknown;
  try {
    const text = utf8.decode(bytes);
    value = text.includes('__proto__') || text.includes('\\u') ? JSON.parse(text, refusePrototypeKeys) : JSON.parse(text);
  } catch {
    throw invalidToken(`Jwt ${part} is an invalid JSON`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidToken(`Jwt ${part} is an invalid JSON`);
  return value as Record<string, unknown>;
}

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
