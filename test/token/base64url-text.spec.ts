/** The strict base64url-to-UTF-8 reader of a token's header and payload (lib/token/base64url-text.util.ts). */
import { describe, expect, it } from 'vitest';
import { decodeBase64Url } from '../../lib/token/base64url.util.js';
import { NOT_BASE64URL, NOT_UTF8, decodeBase64UrlText } from '../../lib/token/base64url-text.util.js';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const b64 = (bytes: Buffer | string) => Buffer.from(bytes).toString('base64url');
const text = (bytes: number[]) => decodeBase64UrlText(b64(Buffer.from(bytes)));

describe('decodeBase64UrlText', () => {
  it('reads the text of canonical segments of every length, padded as the length needs or not', () => {
    for (let length = 0; length < 12; length++) {
      const value = 'héllo ☕ wörld'.slice(0, length);
      const encoded = b64(value);
      expect(decodeBase64UrlText(encoded)).toBe(value);
      const padded = encoded + '='.repeat((4 - (encoded.length % 4)) % 4);
      expect(decodeBase64UrlText(padded)).toBe(value);
    }
  });

  it('refuses every character outside the URL-safe alphabet, wherever it stands', () => {
    // Every byte-sized character, and characters whose low byte is an alphabet letter (a decoder that truncates
    // UTF-16 units to bytes would read U+0141 as "A").
    const outside = [...Array(256).keys(), 0x141, 0x15f, 0x2d2d, 0xff41].map((code) => String.fromCharCode(code)).filter((c) => !ALPHABET.includes(c));
    expect(outside).toHaveLength(256 - 64 + 4);
    for (const character of outside) {
      // (`AAA=` is legitimately padded: the padding rules have their own test.)
      const segments = [`${character}AAA`, `AA${character}A`, `AAAA${character}AA`, ...(character === '=' ? [] : [`AAA${character}`])];
      for (const segment of segments) {
        expect(decodeBase64UrlText(segment), JSON.stringify(segment)).toBe(NOT_BASE64URL);
        expect(decodeBase64Url(segment), JSON.stringify(segment)).toBeUndefined();
      }
    }
  });

  it('refuses every non-zero pattern of unused trailing bits', () => {
    // 4n + 2 characters leave four unused bits, 4n + 3 leave two.
    for (const [prefix, unused] of [['QU', 4], ['QUJ', 2], ['QUJDRE', 4], ['QUJDREU', 2]] as const) {
      const base = ALPHABET.indexOf(prefix[prefix.length - 1]!) & ~((1 << unused) - 1);
      for (let bits = 0; bits < 1 << unused; bits++) {
        const segment = prefix.slice(0, -1) + ALPHABET[base | bits];
        const expected = bits === 0 ? Buffer.from(segment, 'base64url').toString('utf8') : NOT_BASE64URL;
        expect(decodeBase64UrlText(segment), segment).toBe(expected);
        expect(decodeBase64UrlText(`${segment}${'='.repeat(4 - (segment.length % 4))}`), `${segment} padded`).toBe(expected);
      }
    }
  });

  it('refuses every padding count but the one the length needs, and padding that is not at the end', () => {
    for (const unpadded of ['', 'QQ', 'QUI', 'QUJD', 'QUJDRA', 'QUJDREU']) {
      const needed = (4 - (unpadded.length % 4)) % 4;
      for (let count = 1; count <= 4; count++) {
        const expected = count === needed ? Buffer.from(unpadded, 'base64url').toString('utf8') : NOT_BASE64URL;
        expect(decodeBase64UrlText(unpadded + '='.repeat(count)), `${unpadded} + ${count} =`).toBe(expected);
      }
    }
    expect(decodeBase64UrlText('QQ==QUJD')).toBe(NOT_BASE64URL);
    expect(decodeBase64UrlText('Q=Q=')).toBe(NOT_BASE64URL);
  });

  it('refuses a length of 4n + 1, which no byte count encodes to', () => {
    for (const segment of ['Q', 'QUJDR', 'QUJDREVGS']) expect(decodeBase64UrlText(segment)).toBe(NOT_BASE64URL);
  });

  it.each([
    ['a lone continuation byte', [0x80]],
    ['a lone 0xFF', [0xff]],
    ['an overlong "/" (two bytes)', [0xc0, 0xaf]],
    ['an overlong "/" (three bytes)', [0xe0, 0x80, 0xaf]],
    ['an overlong NUL (four bytes)', [0xf0, 0x80, 0x80, 0x80]],
    ['a high surrogate (CESU-8)', [0xed, 0xa0, 0x80]],
    ['a low surrogate', [0xed, 0xbf, 0xbf]],
    ['a surrogate pair encoded as two', [0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['a truncated sequence at the end', [0x7b, 0x7d, 0xf0, 0x9f, 0x98]],
    ['Latin-1 é', [0x63, 0x61, 0x66, 0xe9]],
    ['an invalid byte after a real U+FFFD', [0xef, 0xbf, 0xbd, 0xff]],
  ])('refuses bytes that are not UTF-8: %s', (_name, bytes) => {
    expect(text(bytes)).toBe(NOT_UTF8);
    expect(text([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, ...bytes, 0x22, 0x7d])).toBe(NOT_UTF8);
  });

  it('keeps a byte-order mark in the text (so JSON.parse refuses the second spelling)', () => {
    expect(text([0xef, 0xbb, 0xbf, 0x7b, 0x7d])).toBe('\uFEFF{}');
    expect(() => JSON.parse('\uFEFF{}')).toThrow();
  });

  it('accepts a real U+FFFD, four-byte characters and the highest code point', () => {
    expect(text([0xef, 0xbf, 0xbd])).toBe('\uFFFD');
    expect(decodeBase64UrlText(b64('{"x":"\uFFFD ☕ 😀 \u{10FFFF}"}'))).toBe('{"x":"\uFFFD ☕ 😀 \u{10FFFF}"}');
  });

  it('reads a segment larger than any before it, then a small one, each to exactly its own bytes', () => {
    const large = 'x'.repeat(20_000) + '☕';
    expect(decodeBase64UrlText(b64(large))).toBe(large);
    expect(decodeBase64UrlText(b64('{}'))).toBe('{}');
    expect(text([0x41, 0xff])).toBe(NOT_UTF8);
    expect(decodeBase64UrlText(b64('ok'))).toBe('ok');
  });

  it('reads segments past the 64 KiB it keeps a buffer for (each gets its own), between smaller ones, to exactly their bytes', () => {
    for (const size of [70_000, 10, 200_000, 65_535, 65_536 * 2, 3]) {
      const value = `${'y'.repeat(size)}☕`;
      expect(decodeBase64UrlText(b64(value)), `size ${size}`).toBe(value);
      expect(text([0x41, 0xc0, 0x80])).toBe(NOT_UTF8);
    }
    expect(decodeBase64UrlText(`${b64('z'.repeat(100_000))}!`)).toBe(NOT_BASE64URL);
  });
});
