import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { parseKeyDocument } from '../../lib/keys/parse-key-document.js';
import { MIN_HMAC_KEY_BYTES, isUrl, isWeakSecret, symmetricKeyFromSpec } from '../../lib/keys/symmetric-key.js';
import { makeKey } from '../support/keys.js';
import { check, hmacToken, tokenFor } from './token-check.js';

// 0xfb 0xff 0xbf encodes to "+/+/" in standard base64 and "-_-_" in base64url: the alphabets differ visibly.
const urlSafeSecret = Buffer.alloc(33, Buffer.from([0xfb, 0xff, 0xbf]));

describe('symmetricKeyFromSpec', () => {
  it('gives a secret only the HS algorithms its length allows (RFC 7518 §3.2)', () => {
    const algorithmsOf = (bytes: number) => [...(symmetricKeyFromSpec(randomBytes(bytes).toString('base64url'))?.algorithms ?? [])];
    expect(algorithmsOf(32)).toEqual(['HS256']);
    expect(algorithmsOf(48)).toEqual(['HS256', 'HS384']);
    expect(algorithmsOf(64)).toEqual(['HS256', 'HS384', 'HS512']);
  });

  it('decodes padded standard base64 into a secret without kid', () => {
    const secret = randomBytes(32);
    const value = secret.toString('base64');
    expect(value.endsWith('=')).toBe(true);
    const record = symmetricKeyFromSpec(value);
    expect(record?.kid).toBeUndefined();
    expect([...(record?.algorithms ?? [])]).toEqual(['HS256']);
    expect(record?.key.type).toBe('secret');
    expect(record?.key.export().equals(secret)).toBe(true);
  });

  it('decodes base64url, with or without padding', () => {
    const value = urlSafeSecret.toString('base64url');
    expect(/[-_]/.test(value)).toBe(true);
    expect(symmetricKeyFromSpec(value)?.key.export().equals(urlSafeSecret)).toBe(true);
    const secret = Buffer.alloc(34, urlSafeSecret);
    const padded = `${secret.toString('base64url')}==`;
    expect(padded.length % 4).toBe(0);
    expect(symmetricKeyFromSpec(padded)?.key.export().equals(secret)).toBe(true);
  });

  it('verifies HS256 and HS512 tokens signed with the secret and rejects another secret', () => {
    const secret = randomBytes(64);
    const records = [symmetricKeyFromSpec(secret.toString('base64'))!];
    expect(check(hmacToken(secret, 'HS256'), records)).toEqual({ candidates: 1, verified: true });
    expect(check(hmacToken(secret, 'HS512'), records)).toEqual({ candidates: 1, verified: true });
    expect(check(hmacToken(randomBytes(64), 'HS256'), records)).toEqual({ candidates: 1, verified: false });
  });

  it('never serves an asymmetric algorithm, and a public key never serves HMAC', () => {
    const rsa = makeKey('RS256', 'rsa-1');
    const secret = randomBytes(32);
    expect(check(tokenFor(rsa.privateKey, 'RS256', undefined), [symmetricKeyFromSpec(secret.toString('base64'))!]))
      .toEqual({ candidates: 0, verified: false });
    const { records } = parseKeyDocument({ keys: [rsa.jwk] });
    expect(check(hmacToken(secret, 'HS256'), records)).toEqual({ candidates: 0, verified: false });
  });

  it.each([
    ['text with spaces and punctuation', 'not a key!'],
    ['both alphabets mixed', 'ab+c-def'],
    ['standard alphabet without its padding', 'abc+de'],
    ['a length no base64 has', 'abcde'],
    ['non-canonical trailing bits', 'AB=='],
    ['surrounding whitespace', ' c2VjcmV0 '],
    ['incomplete padding', 'abcdef='],
    ['a host without scheme', 'www.googleapis.com/oauth2/v3/certs'],
    ['the empty string', ''],
  ])('is undefined for %s', (_name, value) => {
    expect(symmetricKeyFromSpec(value)).toBeUndefined();
  });

  it('is undefined for a URL, which names a key server', () => {
    expect(symmetricKeyFromSpec('https://www.googleapis.com/oauth2/v3/certs')).toBeUndefined();
    expect(symmetricKeyFromSpec('http://127.0.0.1:8080/jwks')).toBeUndefined();
  });
});

describe('isWeakSecret', () => {
  it(`reports an HMAC secret under ${MIN_HMAC_KEY_BYTES} bytes and keeps it usable`, () => {
    const weak = symmetricKeyFromSpec(randomBytes(16).toString('base64'));
    expect(weak).toBeDefined();
    expect(isWeakSecret(weak!)).toBe(true);
    expect(isWeakSecret(symmetricKeyFromSpec(randomBytes(MIN_HMAC_KEY_BYTES).toString('base64'))!)).toBe(false);
  });

  it('is false for a public key', () => {
    const { records } = parseKeyDocument({ keys: [makeKey('ES256', 'ec').jwk] });
    expect(isWeakSecret(records[0])).toBe(false);
  });
});

describe('isUrl', () => {
  it.each(['https://accounts.google.com', 'http://x', 'HTTPS://issuer.example/jwks?x=1', 'http://127.0.0.1:9000/k'])(
    'accepts %s',
    (value) => expect(isUrl(value)).toBe(true),
  );
  it.each(['https://', 'https:///host', 'ftp://host/keys', 'accounts.google.com', 'https://exa mple.com', ' https://x', 'https://@x'])(
    'refuses %s',
    (value) => expect(isUrl(value)).toBe(false),
  );
});
