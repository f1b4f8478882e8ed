/**
 * A JWK's `n`, `e`, `x` and `y` are read with the tokens' strict base64url reader (issue 13, point 5): Node's JWK
 * import decodes leniently, jwt_verify_lib (`absl::WebSafeBase64Unescape`) does not, so a member in the standard
 * alphabet, with padding inside or of the wrong count, or with a stray character skips the key, while exactly the
 * padding its length needs is accepted.
 */
import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { jwkToKeyRecord } from '../../lib/keys/jwk-to-key-record.js';
import { parseKeyDocument } from '../../lib/keys/parse-key-document.js';
import { type TestKey, makeKey } from '../support/keys.js';
import { check, tokenFor } from './token-check.js';

/** A fresh key of `alg` whose member `name` holds a `-` or `_`, so that it has a distinct standard-alphabet spelling. */
function keyWithUrlSafeChar(alg: TestKey['alg'], name: string): TestKey {
  for (;;) {
    const key = makeKey(alg, `${alg}-${name}`);
    if (/[-_]/.test(String(key.jwk[name]))) return key;
  }
}

const standard = (value: string) => value.replaceAll('-', '+').replaceAll('_', '/');
const insert = (value: string, text: string) => `${value.slice(0, 2)}${text}${value.slice(2)}`;
/** The `=` count that completes the unpadded `value` to a multiple of 4. */
const padding = (value: string) => '='.repeat((4 - (value.length % 4)) % 4);
const wrongPadding = (value: string) => value + '='.repeat(padding(value).length === 1 ? 2 : 1);

const MEMBERS = [
  ['RSA', 'n', 'RS256'],
  ['EC', 'x', 'ES256'],
  ['EC', 'y', 'ES256'],
  ['OKP', 'x', 'EdDSA'],
] as const;

describe.each(MEMBERS)('a %s JWK whose %s is', (_kty, name, alg) => {
  const key = keyWithUrlSafeChar(alg, name);
  const value = String(key.jwk[name]);
  const skippedWith = (member: unknown) => jwkToKeyRecord({ ...key.jwk, [name]: member });

  it.each([
    ['in the standard alphabet', standard(value)],
    ['padded inside', insert(value, '=')],
    ['padded with the wrong count', wrongPadding(value)],
    ['padded although it needs none', `${value.slice(0, value.length - (value.length % 4))}=`],
    ['cut by a space', insert(value, ' ')],
    ['cut by a line break', insert(value, '\n')],
    ['cut by a dot', insert(value, '.')],
    ['ended by a stray character', `${value}!`],
  ])('%s is skipped with a reason naming the member (never its value)', (_form, bad) => {
    expect(skippedWith(bad)).toEqual({ skipped: `${name} is not base64url` });
  });

  it('missing, or not a string, is skipped', () => {
    const { [name]: _dropped, ...without } = key.jwk;
    expect(jwkToKeyRecord(without)).toEqual({ skipped: `${name} is missing` });
    expect(skippedWith(42)).toEqual({ skipped: `${name} is not a string` });
  });

  it('padded with exactly the = its length needs is accepted, and verifies a token signed by the key', () => {
    expect(padding(value)).not.toBe('');
    const result = jwkToKeyRecord({ ...key.jwk, [name]: value + padding(value) });
    if (!('record' in result)) throw new Error(`skipped: ${result.skipped}`);
    expect(check(tokenFor(key.privateKey, key.alg, key.kid), [result.record])).toEqual({ candidates: 1, verified: true });
  });
});

describe('an RSA JWK whose e is', () => {
  const key = makeKey('RS256', 'rsa-e');

  it.each([
    ['padded inside', 'AQ=AB'],
    ['padded although it needs none', 'AQAB='],
    ['cut by a space', 'AQ AB'],
    ['ended by a stray character', 'AQAB!'],
    // 65537 is AQAB in both alphabets: a `+` or `/` makes a value base64url cannot spell.
    ['in the standard alphabet', '+AQAB'],
  ])('%s is skipped', (_form, e) => {
    expect(jwkToKeyRecord({ ...key.jwk, e })).toEqual({ skipped: 'e is not base64url' });
  });

  it('3, written with its padding (Aw==), is accepted and verifies', () => {
    const pair = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 3 });
    const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid: 'e3' };
    expect(jwk.e).toBe('Aw');
    const result = jwkToKeyRecord({ ...jwk, e: 'Aw==' });
    if (!('record' in result)) throw new Error(`skipped: ${result.skipped}`);
    expect(check(tokenFor(pair.privateKey, 'RS256', 'e3'), [result.record])).toEqual({ candidates: 1, verified: true });
    expect(jwkToKeyRecord({ ...jwk, e: 'Aw=' })).toEqual({ skipped: 'e is not base64url' });
  });
});

describe('a JWKS with a key whose member is not base64url', () => {
  it('skips that key only, keeping the others usable (jwt_verify_lib skips a bad key since 2020)', () => {
    const good = makeKey('ES256', 'good');
    const bad = keyWithUrlSafeChar('RS256', 'n');
    const { records, skipped } = parseKeyDocument({ keys: [{ ...bad.jwk, n: standard(String(bad.jwk['n'])) }, good.jwk] });
    expect(records.map((record) => record.kid)).toEqual(['good']);
    expect(skipped).toEqual([{ kid: bad.kid, reason: 'n is not base64url' }]);
    expect(check(tokenFor(good.privateKey, 'ES256', 'good'), records)).toEqual({ candidates: 1, verified: true });
  });
});
