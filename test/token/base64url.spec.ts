import { describe, expect, it } from 'vitest';
import { decodeBase64Url } from '../../lib/token/base64url.util.js';
import { tokenAfterPrefix } from '../../lib/token/token-after-prefix.util.js';

const hex = (bytes: Buffer | undefined) => bytes?.toString('hex');

describe('decodeBase64Url', () => {
  it.each([
    ['', ''],
    ['AA', '00'],
    ['AAA', '0000'],
    ['AAAA', '000000'],
    ['-_8', 'fbff'],
  ])('reads unpadded %j', (segment, bytes) => {
    expect(hex(decodeBase64Url(segment))).toBe(bytes);
  });

  it.each([
    ['AA==', '00'],
    ['AAA=', '0000'],
    ['-_8=', 'fbff'],
  ])('reads %j, padded with exactly the = count its length needs', (segment, bytes) => {
    expect(hex(decodeBase64Url(segment))).toBe(bytes);
  });

  it.each([
    ['AA=', 'one = short'],
    ['AA===', 'one = too many'],
    ['AAA==', 'one = too many'],
    ['AAAA=', 'padding on a full quad'],
    ['AAAA====', 'a whole quad of padding'],
    ['A===', 'a length no padding completes'],
    ['=', 'padding alone'],
    ['==', 'padding alone'],
    ['A=A=', 'padding inside'],
    ['AB==', 'non-canonical trailing bits, padded'],
    ['AB', 'non-canonical trailing bits'],
    ['+/8=', 'the standard alphabet, padded'],
    ['+/8', 'the standard alphabet'],
    ['AA ==', 'a space before the padding'],
    ['AA\n', 'a stray character'],
  ])('refuses %j (%s)', (segment) => {
    expect(decodeBase64Url(segment)).toBeUndefined();
  });
});

describe('tokenAfterPrefix', () => {
  it('takes the value after the prefix, from its first token character to the end', () => {
    expect(tokenAfterPrefix('Bearer a.b.c', 7)).toBe('a.b.c');
    expect(tokenAfterPrefix('Bearer    a.b.c', 7)).toBe('a.b.c');
    expect(tokenAfterPrefix('jwt-prefix-foo a.b.c', 14)).toBe('a.b.c');
    expect(tokenAfterPrefix('Bearer "a.b.c"', 7)).toBe('a.b.c"');
    expect(tokenAfterPrefix('Bearer a.b.c== x', 7)).toBe('a.b.c== x');
  });

  it('keeps what follows the prefix when no token character does', () => {
    expect(tokenAfterPrefix('Bearer  ""', 7)).toBe(' ""');
    expect(tokenAfterPrefix('Bearer ', 7)).toBe('');
  });
});
