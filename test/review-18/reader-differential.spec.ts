/**
 * Issue 18's reader against the reader it replaced (reference-reader.ts, the code at 7b18172): seeded random tokens
 * built from hostile bytes (bad UTF-8, BOMs, U+FFFD, surrogates), hostile characters (lone UTF-16 surrogates, the
 * standard alphabet, `=` anywhere, dots anywhere) and sizes on both sides of the reused buffers, read in a random
 * order so every token follows some other size. Both readers must give the same answer: the same message, or the same
 * header, payload, signing input and signature bytes.
 */
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../lib/errors/auth-error.js';
import { parseJwt } from '../../lib/token/parse-jwt.js';
import { Rng } from '../fuzz/mutators.js';
import { referenceParseJwt } from './reference-reader.js';

const ITERATIONS = Number(process.env['REVIEW18_ITERATIONS'] ?? 30_000);
const SEED = Number(process.env['REVIEW18_SEED'] ?? 0x18_2026);

/** Byte pieces the UTF-8 check must tell apart: valid, invalid, and the U+FFFD / BOM spellings. */
const BYTE_PIECES: number[][] = [
  [0x80], [0xff], [0xfe], [0xc0, 0xaf], [0xc1, 0xbf], [0xe0, 0x80, 0xaf], [0xe0, 0x9f, 0xbf], [0xf0, 0x80, 0x80, 0x80],
  [0xf0, 0x8f, 0xbf, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf], [0xed, 0x9f, 0xbf], [0xee, 0x80, 0x80],
  [0xf4, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xe2, 0x82], [0xf0, 0x9f, 0x98], [0xc3], [0xef, 0xbf, 0xbd], [0xef, 0xbb, 0xbf], [0xef, 0xbf, 0xbe], [0xef, 0xbf, 0xbf],
  [0xc3, 0xa9], [0xe2, 0x98, 0x95], [0xf0, 0x9f, 0x98, 0x80], [0x00], [0x7f], [0x5c, 0x75, 0x30, 0x30, 0x30, 0x30],
  [0x22], [0x5c], [0x7b], [0x7d], [0x2c],
];

/** Characters that are not base64url, or that a careless decoder might read as such. */
const CHAR_PIECES = ['=', '+', '/', ' ', '\t', '.', '\u0141', '\u00e9', '\uD800', '\uDC00', '\uDBFF\uDFFF', '😀', '\uFFFD', '\uFEFF', '\0', '%', 'A', '-', '_'];

function hostileBytes(rng: Rng, count: number): Buffer {
  const parts: number[] = [];
  for (let i = 0; i < count; i++) parts.push(...(rng.chance(0.5) ? rng.pick(BYTE_PIECES) : [rng.range(0x20, 0x7e)]));
  return Buffer.from(parts);
}

/** JSON text as bytes, with hostile bytes spliced inside a string value (or anywhere, sometimes). */
/** JSON text as bytes, with hostile bytes spliced inside a string value (or anywhere, sometimes) when `hostile`. */
function jsonBytes(rng: Rng, object: Record<string, unknown>, hostile: boolean): Buffer {
  const text = Buffer.from(JSON.stringify(object));
  if (!hostile) return text;
  const inside = text.indexOf(0x22, text.indexOf(0x3a)) + 1; // just after the first value's opening quote
  const at = rng.chance(0.8) && inside > 0 ? inside : rng.int(text.length + 1);
  const spliced = Buffer.concat([text.subarray(0, at), hostileBytes(rng, rng.range(1, 4)), text.subarray(at)]);
  return rng.chance(0.1) ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), spliced]) : spliced;
}

/** The segment of `bytes`, with its characters mangled when `hostile`. */
function segmentOf(rng: Rng, bytes: Buffer, hostile: boolean): string {
  let segment = bytes.toString('base64url');
  if (!hostile) return rng.chance(0.1) ? segment + '='.repeat((4 - (segment.length % 4)) % 4) : segment;
  const mangle = rng.int(5);
  if (mangle === 0) segment += '='.repeat(rng.range(1, 3));
  if (mangle === 1 || rng.chance(0.2)) {
    const at = rng.int(segment.length + 1);
    segment = segment.slice(0, at) + rng.pick(CHAR_PIECES) + segment.slice(at + (rng.chance(0.5) ? 1 : 0));
  }
  if (mangle === 2 && segment.length > 0) segment = segment.slice(0, -1);
  if (mangle === 3) segment = bytes.toString('base64'); // the standard alphabet, padded
  if (mangle === 4 && segment.length > 0) {
    // Another last character: non-canonical trailing bits, most of the time.
    segment = segment.slice(0, -1) + rng.pick(['A', 'B', 'Q', 'g', 'w', '_', '-', '9']);
  }
  return segment;
}

function header(rng: Rng, valid: boolean): Record<string, unknown> {
  const headers = valid ? [{ alg: 'RS256', kid: 'k1', typ: 'JWT' }, { alg: 'HS256' }, { alg: 'EdDSA', kid: '\u00e9' }] : [
    { alg: 'RS256', kid: 'k1', typ: 'JWT' }, { alg: 'HS256' }, { alg: 'none' }, { alg: 'ES256', kid: 'x'.repeat(257) },
    { alg: 'EdDSA', crit: ['b64'] }, { alg: ['RS256'] }, { kid: 'k' }, { alg: 'PS512', kid: 7 },
  ];
  return { ...rng.pick(headers), ...(rng.chance(0.3) ? { pad: 'h'.repeat(rng.int(4_000)) } : {}) };
}

function payload(rng: Rng): Record<string, unknown> {
  const payloads: Record<string, unknown>[] = [
    { iss: 'https://a.example.com', sub: 'u', aud: 'x', iat: 1, exp: 2 }, {}, { aud: ['a', 'b'] }, { aud: [1] }, { exp: '1' },
    { exp: -1 }, { exp: 2 ** 64 }, { exp: 1.5 }, { iss: 5 }, { name: '\uFFFD' }, { name: 'caf\u00e9 \u2615 \u{1F600}' },
  ];
  // Sizes on both sides of the reused buffers' first 4,096 bytes, and well past them.
  const size = rng.pick([0, 0, 0, 100, 3_000, 3_070, 3_075, 5_000, 12_000]);
  return { ...rng.pick(payloads), ...(size ? { pad: 'p'.repeat(size) } : {}) };
}

/** One token: one part made hostile (or none), so every verdict gets its share of the cases. */
function token(rng: Rng): string {
  const target = rng.pick(['none', 'header bytes', 'header segment', 'payload bytes', 'payload segment', 'signature', 'dots', 'shape'] as const);
  const head = segmentOf(rng, jsonBytes(rng, header(rng, target === 'none'), target === 'header bytes'), target === 'header segment');
  const body = segmentOf(rng, jsonBytes(rng, payload(rng), target === 'payload bytes'), target === 'payload segment');
  const signatureBytes = Buffer.from(Array.from({ length: rng.pick([1, 64, 256]) }, () => rng.int(256)));
  const signature = target === 'signature' && rng.chance(0.1) ? 'SIGNATURE_REMOVED_BY_GOOGLE' : segmentOf(rng, signatureBytes, target === 'signature');
  let raw = `${head}.${body}.${signature}`;
  if (target === 'dots') {
    const at = rng.pick([0, head.length, head.length + 1, raw.length, rng.int(raw.length + 1)]);
    raw = raw.slice(0, at) + rng.pick(['.', '..', ' ', '']) + raw.slice(at + rng.int(2));
  }
  if (target === 'shape') raw = rng.pick(['.', '..', '...', 'a.b', '.a.b', 'a.b.', 'a..b', 'a.b.c.', 'a.b.c.d', '', `${head}.${body}`, `${head}.${body}.${signature}.`, `.${head}.${body}.${signature}`]);
  return raw;
}

type Answer = { message: string } | { header: unknown; payload: unknown; signingInput: string; signature: string };

function answer(read: () => { header: unknown; payload: unknown; signingInput: string; signature: Buffer }): Answer {
  try {
    const { header, payload, signingInput, signature } = read();
    return { header, payload, signingInput, signature: signature.toString('hex') };
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    return { message: `${error.code}: ${error.message}` };
  }
}

describe('issue 18 reader vs the reader it replaced', () => {
  it(`answers as the old reader did on ${ITERATIONS} seeded hostile tokens (seed ${SEED})`, () => {
    const rng = new Rng(SEED);
    const outcomes = new Map<string, number>();
    for (let index = 0; index < ITERATIONS; index++) {
      const raw = token(rng);
      const bytes = Buffer.byteLength(raw);
      // A bound on either side of the token's size, sometimes exactly at it.
      const max = rng.chance(0.8) ? 64 * 1024 : rng.pick([16 * 1024, bytes, bytes - 1, raw.length, raw.length + 1, raw.length - 1, 3]);
      const expected = answer(() => referenceParseJwt(raw, max));
      const actual = answer(() => parseJwt(raw, max));
      if (JSON.stringify(actual) !== JSON.stringify(expected)) {
        expect({ index, actual }, `case ${index}`).toEqual({ index, actual: expected });
      }
      const kind = 'message' in expected ? expected.message.replace(/\d+ bytes/, 'N bytes') : 'accepted';
      outcomes.set(kind, (outcomes.get(kind) ?? 0) + 1);
    }
    if (process.env["REVIEW18_PRINT"]) console.log(outcomes);
    // The generator must reach every verdict, or the comparison says little.
    for (const kind of [
      'accepted',
      'INVALID_TOKEN: Jwt header is an invalid JSON',
      'INVALID_TOKEN: Jwt payload is an invalid JSON',
      'INVALID_TOKEN: Jwt header is an invalid Base64url encoded',
      'INVALID_TOKEN: Jwt payload is an invalid Base64url encoded',
      'INVALID_TOKEN: Jwt signature is an invalid Base64url encoded',
      'INVALID_TOKEN: Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections',
      'INVALID_TOKEN: Jwt is larger than N bytes',
      'INVALID_TOKEN: Jwt signature was removed by Google (Cloud Run checked this token with IAM)',
    ]) {
      expect(outcomes.get(kind) ?? 0, kind).toBeGreaterThan(ITERATIONS / 200);
    }
  });
});
