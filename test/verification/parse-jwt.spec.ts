/** The strict JWS reader (lib/token/parse-jwt.ts): segments, strict base64url, UTF-8 JSON, header and claim types. */
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../lib/errors/auth-error.js';
import { decodeBase64Url } from '../../lib/token/base64url.util.js';
import { parseJwt } from '../../lib/token/parse-jwt.js';
import { claims, makeKey, signJwt } from '../support/keys.js';
import { segment } from './verification-kit.js';

const MAX = 8192;
const key = makeKey('RS256', 'unit-1');
const token = (overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  signJwt(key, claims('https://unit.example.com', 'unit-audience', overrides), header);
const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64url');

/** The AuthError `parseJwt` throws for `raw` (fails the test when it parses), checking it never repeats the token. */
function refusal(raw: string, max = MAX): AuthError {
  let thrown: unknown;
  try {
    parseJwt(raw, max);
  } catch (error) {
    thrown = error;
  }
  expect(thrown, 'the token parsed').toBeInstanceOf(AuthError);
  const error = thrown as AuthError;
  expect(error.code).toBe('INVALID_TOKEN');
  const echoed = raw.split('.').some((part) => part.length > 8 && error.message.includes(part));
  expect(echoed, 'the message repeats part of the token').toBe(false);
  return error;
}

/** `json` with trailing spaces (still the same JSON) so its length is not a multiple of 3: base64 then has unused bits. */
const withSlack = (json: string) => (json.length % 3 === 0 ? `${json} ` : json);

/** `encoded` with its last character changed so the unused low bits are non-zero (same bytes, non-canonical). */
function nonCanonical(encoded: string): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  const value = alphabet.indexOf(encoded[encoded.length - 1]);
  const unusedBits = encoded.length % 4 === 2 ? 4 : 2;
  expect(value & ((1 << unusedBits) - 1), 'the canonical spelling has zero unused bits').toBe(0);
  return encoded.slice(0, -1) + alphabet[value | 1];
}

describe('parseJwt', () => {
  it('reads a well-formed token: header, payload, signature bytes and signing input', () => {
    const raw = token({ email: 'a@example.com' });
    const [header, payload, signature] = raw.split('.');
    const jwt = parseJwt(raw, MAX);
    expect(jwt.header).toEqual({ alg: 'RS256', kid: 'unit-1', typ: 'JWT' });
    expect(jwt.payload).toMatchObject({ iss: 'https://unit.example.com', email: 'a@example.com' });
    expect(jwt.signature.equals(Buffer.from(signature, 'base64url'))).toBe(true);
    expect(jwt.signature).toHaveLength(256);
    expect(jwt.signingInput).toBe(`${header}.${payload}`);
    expect(jwt.raw).toBe(raw);
  });

  describe('strict base64url', () => {
    it('refuses a signature whose unused trailing bits are not zero, though Buffer decodes it to the same bytes', () => {
      const raw = token();
      const [header, payload, signature] = raw.split('.');
      expect(signature.length % 4).not.toBe(0);
      const altered = nonCanonical(signature);
      expect(Buffer.from(altered, 'base64url').equals(Buffer.from(signature, 'base64url'))).toBe(true);
      expect(refusal(`${header}.${payload}.${altered}`).message).toBe('Jwt signature is an invalid Base64url encoded');
    });

    it('refuses a header and a payload whose unused trailing bits are not zero', () => {
      const [, , signature] = token().split('.');
      const header = b64(withSlack('{"alg":"RS256"}'));
      const payload = b64(withSlack(JSON.stringify(claims('https://unit.example.com', 'unit-audience'))));
      expect(parseJwt(`${header}.${payload}.${signature}`, MAX).header.alg).toBe('RS256');
      expect(Buffer.from(nonCanonical(header), 'base64url').equals(Buffer.from(header, 'base64url'))).toBe(true);
      expect(refusal(`${nonCanonical(header)}.${payload}.${signature}`).message).toBe('Jwt header is an invalid Base64url encoded');
      expect(refusal(`${header}.${nonCanonical(payload)}.${signature}`).message).toBe('Jwt payload is an invalid Base64url encoded');
    });

    it.each([
      ['padding beyond what its length needs', (s: string) => `${s}===`],
      ['a + character', (s: string) => `+${s.slice(1)}`],
      ['a / character', (s: string) => `/${s.slice(1)}`],
      ['a space', (s: string) => `${s.slice(0, 4)} ${s.slice(5)}`],
      ['an impossible length (4n + 1)', (s: string) => s.slice(0, s.length - (s.length % 4) + 1)],
    ])('refuses a signature with %s', (_name, change) => {
      const [header, payload, signature] = token().split('.');
      expect(refusal(`${header}.${payload}.${change(signature)}`).message).toBe('Jwt signature is an invalid Base64url encoded');
    });

    it('decodes canonical base64url of every length and refuses what Buffer would silently accept', () => {
      for (let length = 0; length < 8; length++) {
        const bytes = Buffer.from([0xfb, 0xff, 0xbf, 0x01, 0x80, 0x7f, 0x3e, 0x3f].slice(0, length));
        expect(decodeBase64Url(bytes.toString('base64url'))?.equals(bytes)).toBe(true);
      }
      expect(decodeBase64Url('-_8')).toEqual(Buffer.from([0xfb, 0xff]));
      expect(decodeBase64Url('-_9')).toBeUndefined(); // non-zero unused bits
      expect(decodeBase64Url('+/8')).toBeUndefined();
      expect(decodeBase64Url('-_8=')).toEqual(Buffer.from([0xfb, 0xff])); // the padding its length needs
      expect(decodeBase64Url('-_8==')).toBeUndefined();
      expect(decodeBase64Url('A')).toBeUndefined();
    });
  });

  describe('UTF-8 JSON', () => {
    const [, payload, signature] = token().split('.');

    it.each([
      ['a lone 0xFF byte', Buffer.concat([Buffer.from('{"alg":"RS256","x":"'), Buffer.from([0xff]), Buffer.from('"}')])],
      ['an overlong encoding of "/"', Buffer.concat([Buffer.from('{"alg":"RS256","x":"'), Buffer.from([0xc0, 0xaf]), Buffer.from('"}')])],
      ['an encoded surrogate (CESU-8)', Buffer.concat([Buffer.from('{"alg":"RS256","x":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')])],
      ['Latin-1 text', Buffer.from('{"alg":"RS256","x":"caf\u00e9"}', 'latin1')],
    ])('refuses a header that is not UTF-8: %s', (_name, bytes) => {
      expect(refusal(`${b64(bytes)}.${payload}.${signature}`).message).toBe('Jwt header is an invalid JSON');
    });

    it('accepts a header with real UTF-8 text', () => {
      expect(parseJwt(`${b64('{"alg":"RS256","x":"café ☕"}')}.${payload}.${signature}`, MAX).header['x']).toBe('café ☕');
    });

    it('refuses a header or payload that starts with a UTF-8 byte-order mark (a second spelling of one token)', () => {
      const bom = Buffer.from([0xef, 0xbb, 0xbf]);
      const header = b64(Buffer.concat([bom, Buffer.from('{"alg":"RS256"}')]));
      expect(refusal(`${header}.${payload}.${signature}`).message).toBe('Jwt header is an invalid JSON');
      const body = b64(Buffer.concat([bom, Buffer.from('{"iss":"x"}')]));
      expect(refusal(`${b64('{"alg":"RS256"}')}.${body}.${signature}`).message).toBe('Jwt payload is an invalid JSON');
    });

    it('refuses a __proto__ member anywhere in the header or payload (it would re-parent objects the claims are copied into)', () => {
      expect(refusal(`${b64('{"alg":"RS256"}')}.${b64('{"iss":"x","__proto__":{"admin":true}}')}.${signature}`).message).toBe(
        'Jwt payload is an invalid JSON',
      );
      expect(refusal(`${b64('{"alg":"RS256","x":{"__proto__":{}}}')}.${payload}.${signature}`).message).toBe('Jwt header is an invalid JSON');
    });

    it('refuses a __proto__ key spelled with \\u escapes, and still reads escapes that spell anything else', () => {
      for (const key of ['\\u005f\\u005fproto__', '__pro\\u0074o__', '\\u005F_proto_\\u005F']) {
        expect(refusal(`${b64('{"alg":"RS256"}')}.${b64(`{"iss":"x","${key}":{"admin":true}}`)}.${signature}`).message).toBe(
          'Jwt payload is an invalid JSON',
        );
      }
      const jwt = parseJwt(`${b64('{"alg":"RS256"}')}.${b64('{"iss":"\\u0078","n\\u0061me":"\\u00e9"}')}.${signature}`, 8192);
      expect(jwt.payload).toEqual({ iss: 'x', name: 'é' });
    });

    it('refuses a payload that is not UTF-8', () => {
      const bytes = Buffer.concat([Buffer.from('{"iss":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
      expect(refusal(`${b64('{"alg":"RS256"}')}.${b64(bytes)}.${signature}`).message).toBe('Jwt payload is an invalid JSON');
    });

    it.each([
      ['not JSON', 'alg=RS256'],
      ['a JSON string', '"RS256"'],
      ['a JSON array', '[{"alg":"RS256"}]'],
      ['JSON null', 'null'],
      ['two JSON values', '{"alg":"RS256"}{}'],
    ])('refuses a header that is %s', (_name, text) => {
      expect(refusal(`${b64(text)}.${payload}.${signature}`).message).toBe('Jwt header is an invalid JSON');
    });
  });

  describe('shape and header', () => {
    it.each([
      ['two segments', (t: string) => t.split('.').slice(0, 2).join('.')],
      ['four segments', (t: string) => `${t}.${segment({})}`],
      ['an empty middle segment', (t: string) => t.replace(/\.[^.]+\./, '..')],
      ['a trailing dot', (t: string) => `${t}.`],
      ['no dot at all', (t: string) => t.replace(/\./g, '')],
      ['the empty string', () => ''],
    ])('refuses %s', (_name, change) => {
      expect(refusal(change(token())).message).toBe('Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections');
    });

    it('refuses a token over maxTokenBytes before decoding anything, counting bytes, not characters', () => {
      const raw = token();
      expect(parseJwt(raw, Buffer.byteLength(raw)).raw).toBe(raw);
      expect(refusal(raw, Buffer.byteLength(raw) - 1).message).toBe(`Jwt is larger than ${Buffer.byteLength(raw) - 1} bytes`);
      // Multi-byte characters: 300 "é" are 600 bytes; the garbage is never decoded.
      expect(refusal('é'.repeat(300), 500).message).toBe('Jwt is larger than 500 bytes');
    });

    it.each([
      [{ alg: undefined }, 'Jwt header [alg] field is required and must be a string'],
      [{ alg: ['RS256'] }, 'Jwt header [alg] field is required and must be a string'],
      [{ alg: 'none' }, 'Jwt header [alg] is not supported'],
      [{ alg: 'rs256' }, 'Jwt header [alg] is not supported'],
      [{ alg: 'RS1' }, 'Jwt header [alg] is not supported'],
      [{ kid: 1 }, 'Jwt header [kid] field is not a string'],
      [{ kid: null }, 'Jwt header [kid] field is not a string'],
      [{ kid: 'k'.repeat(257) }, 'Jwt header [kid] field is not a string'],
      [{ crit: ['b64'], b64: false }, 'Jwt header [crit] is not supported'],
      [{ crit: [] }, 'Jwt header [crit] is not supported'],
    ])('refuses the header %j', (header, message) => {
      expect(refusal(token({}, header)).message).toBe(message);
    });

    it('accepts every algorithm ESPv2 parses, and a kid of 256 characters', () => {
      for (const alg of ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512', 'EdDSA']) {
        expect(parseJwt(token({}, { alg }), MAX).header.alg).toBe(alg);
      }
      expect(parseJwt(token({}, { kid: 'k'.repeat(256) }), MAX).header.kid).toHaveLength(256);
    });
  });

  describe('claim types', () => {
    it.each([
      [{ iss: 1 }, 'Jwt payload [iss] field is not a string'],
      [{ sub: {} }, 'Jwt payload [sub] field is not a string'],
      [{ jti: 7 }, 'Jwt payload [jti] field is not a string'],
      [{ exp: '2000000000' }, 'Jwt payload [exp] field is not an integer'],
      [{ exp: null }, 'Jwt payload [exp] field is not an integer'],
      [{ exp: true }, 'Jwt payload [exp] field is not an integer'],
      [{ nbf: '1' }, 'Jwt payload [nbf] field is not an integer'],
      [{ iat: [1] }, 'Jwt payload [iat] field is not an integer'],
      [{ exp: -1 }, 'Jwt payload [exp] field is not a positive 64 bit integer'],
      [{ nbf: -0.5 }, 'Jwt payload [nbf] field is not a positive 64 bit integer'],
      [{ exp: 2 ** 64 }, 'Jwt payload [exp] field is not a positive 64 bit integer'],
      [{ iat: 1e300 }, 'Jwt payload [iat] field is not a positive 64 bit integer'],
      [{ aud: 1 }, 'Jwt payload [aud] field is not a string or string list'],
      [{ aud: ['a', null] }, 'Jwt payload [aud] field is not a string or string list'],
      [{ aud: { a: 1 } }, 'Jwt payload [aud] field is not a string or string list'],
    ])('refuses the claims %j', (overrides, message) => {
      expect(refusal(token(overrides)).message).toBe(message);
    });

    it('accepts fractional times, a string aud and an aud list (types only; values are checked later)', () => {
      expect(parseJwt(token({ exp: 2000000000.5, nbf: 1.25, iat: 0 }), MAX).payload.exp).toBe(2000000000.5);
      expect(parseJwt(token({ aud: [] }), MAX).payload.aud).toEqual([]);
      expect(parseJwt(token({ aud: 'x' }), MAX).payload.aud).toBe('x');
    });

    it('refuses a numeric exp written as 1e400 (not finite)', () => {
      const [header, , signature] = token().split('.');
      const payload = b64('{"iss":"https://unit.example.com","exp":1e400}');
      expect(refusal(`${header}.${payload}.${signature}`).message).toBe('Jwt payload [exp] field is not an integer');
    });
  });
});
