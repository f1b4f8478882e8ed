import { X509Certificate, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseKeyDocument } from '../../lib/keys/parse-key-document.js';
import { makeKey } from '../support/keys.js';
import { type TestCertificates, makeCertificates } from './certificates.js';
import { check, tokenFor } from './token-check.js';

const RSA_ALGORITHMS = ['PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512'];
const sorted = (set: ReadonlySet<string>) => [...set].sort();
// The base64 body of a PEM or a JWK member: a reason must never hold any part of it.
const leaks = (reasons: string[], material: string) => reasons.some((reason) => reason.includes(material.slice(0, 16)));
const pemBody = (pem: string) => pem.split('\n')[1];

describe('parseKeyDocument: JWKS', () => {
  const rsa = makeKey('RS256', 'rsa-1');
  const ec = makeKey('ES256', 'ec-1');
  const other = makeKey('RS256', 'other');
  const privateJwk = { ...generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' }), kid: 'private' };
  const octJwk = { kty: 'oct', k: 'c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA', kid: 'oct' };
  const jwks = { keys: [rsa.jwk, ec.jwk, privateJwk, octJwk, other.jwk] };

  it('keeps RSA and EC keys and names each skipped member with a reason free of key material', () => {
    const { records, skipped } = parseKeyDocument(jwks);
    expect(records.map((r) => r.kid)).toEqual(['rsa-1', 'ec-1', 'other']);
    expect(sorted(records[0].algorithms)).toEqual(RSA_ALGORITHMS);
    expect(sorted(records[1].algorithms)).toEqual(['ES256']);
    expect(skipped).toEqual([
      { kid: 'private', reason: 'has a private part' },
      { kid: 'oct', reason: 'key type oct is not supported' },
    ]);
    const reasons = skipped.map((s) => s.reason);
    expect(leaks(reasons, String(privateJwk.d)) || leaks(reasons, octJwk.k)).toBe(false);
  });

  it('accepts RS256, PS256 and ES256 tokens signed with the published keys', () => {
    const { records } = parseKeyDocument(jwks);
    expect(check(tokenFor(rsa.privateKey, 'RS256', 'rsa-1'), records)).toEqual({ candidates: 1, verified: true });
    expect(check(tokenFor(rsa.privateKey, 'PS256', 'rsa-1'), records)).toEqual({ candidates: 1, verified: true });
    expect(check(tokenFor(ec.privateKey, 'ES256', 'ec-1'), records)).toEqual({ candidates: 1, verified: true });
    // Without a kid every key of the family is tried, as ESPv2 does.
    expect(check(tokenFor(rsa.privateKey, 'RS256', undefined), records)).toEqual({ candidates: 2, verified: true });
  });

  it('rejects a token signed by another key and gives an ES256 token no RSA candidate', () => {
    const { records } = parseKeyDocument(jwks);
    expect(check(tokenFor(other.privateKey, 'RS256', 'rsa-1'), records)).toEqual({ candidates: 1, verified: false });
    expect(check(tokenFor(ec.privateKey, 'ES256', 'rsa-1'), records)).toEqual({ candidates: 0, verified: false });
  });

  it('parses a set whose every key is skipped, leaving the verdict to the caller', () => {
    expect(parseKeyDocument({ keys: [octJwk, 'not a key'] })).toEqual({
      records: [],
      skipped: [{ kid: 'oct', reason: 'key type oct is not supported' }, { kid: undefined, reason: 'not an object' }],
      dropped: 0,
    });
  });

  it('throws for an empty or non-array "keys"', () => {
    expect(() => parseKeyDocument({ keys: [] })).toThrow('the JWKS has an empty "keys" list');
    expect(() => parseKeyDocument({ keys: {} })).toThrow('the JWKS member "keys" is not an array');
    expect(() => parseKeyDocument({ keys: null })).toThrow('the JWKS member "keys" is not an array');
  });
});

describe('parseKeyDocument: Ed25519 (OKP) JWKs', () => {
  const ed = makeKey('EdDSA', 'ed-1');
  const otherEd = makeKey('EdDSA', 'ed-2');
  const rsa = makeKey('RS256', 'rsa-1');
  const ed448 = { ...generateKeyPairSync('ed448').publicKey.export({ format: 'jwk' }), kid: 'ed448' };
  const x25519 = { ...generateKeyPairSync('x25519').publicKey.export({ format: 'jwk' }), kid: 'x25519' };

  it('keeps an Ed25519 key for EdDSA only, and skips the OKP curves ESPv2 does not verify with', () => {
    const { records, skipped } = parseKeyDocument({ keys: [ed.jwk, ed448, x25519, rsa.jwk] });
    expect(records.map((r) => r.kid)).toEqual(['ed-1', 'rsa-1']);
    expect(sorted(records[0].algorithms)).toEqual(['EdDSA']);
    expect(records[0].key.asymmetricKeyType).toBe('ed25519');
    expect(skipped).toEqual([
      { kid: 'ed448', reason: 'key type OKP/Ed448 is not supported' },
      { kid: 'x25519', reason: 'key type OKP/X25519 is not supported' },
    ]);
  });

  it('skips an Ed25519 key whose alg is not EdDSA, one with a private part, and one with a broken x', () => {
    const { records, skipped } = parseKeyDocument({
      keys: [
        { ...ed.jwk, kid: 'wrong-alg', alg: 'ES256' },
        { ...ed.privateKey.export({ format: 'jwk' }), kid: 'private' },
        { ...ed.jwk, kid: 'short-x', x: 'AAAA' },
        { ...ed.jwk, alg: 'EdDSA' },
      ],
    });
    expect(records.map((r) => r.kid)).toEqual(['ed-1']);
    expect(skipped).toEqual([
      { kid: 'wrong-alg', reason: 'alg ES256 does not fit the key type' },
      { kid: 'private', reason: 'has a private part' },
      { kid: 'short-x', reason: 'invalid key parameters' },
    ]);
  });

  it('accepts an EdDSA token signed by the published key and refuses one signed by another Ed25519 key', () => {
    const { records } = parseKeyDocument({ keys: [ed.jwk, otherEd.jwk, rsa.jwk] });
    expect(check(tokenFor(ed.privateKey, 'EdDSA', 'ed-1'), records)).toEqual({ candidates: 1, verified: true });
    expect(check(tokenFor(otherEd.privateKey, 'EdDSA', 'ed-1'), records)).toEqual({ candidates: 1, verified: false });
    // Without a kid both Ed25519 keys are tried, never the RSA one.
    expect(check(tokenFor(otherEd.privateKey, 'EdDSA', undefined), records)).toEqual({ candidates: 2, verified: true });
  });

  it('never lets an Ed25519 key serve another family, nor an RSA key serve EdDSA', () => {
    const { records } = parseKeyDocument({ keys: [ed.jwk, rsa.jwk] });
    expect(check(tokenFor(rsa.privateKey, 'RS256', 'ed-1'), records)).toEqual({ candidates: 0, verified: false });
    expect(check(tokenFor(ed.privateKey, 'EdDSA', 'rsa-1'), records)).toEqual({ candidates: 0, verified: false });
  });
});

describe('parseKeyDocument: X.509 certificate map', () => {
  let certs: TestCertificates;
  beforeAll(() => {
    certs = makeCertificates();
  });

  it('keeps an RSA-2048 certificate per kid, for every RSA algorithm', () => {
    const { records, skipped } = parseKeyDocument({ valid: certs.valid, other: certs.other });
    expect(skipped).toEqual([]);
    expect(records.map((r) => r.kid)).toEqual(['valid', 'other']);
    for (const record of records) expect(sorted(record.algorithms)).toEqual(RSA_ALGORITHMS);
  });

  it('accepts RS256 and PS256 tokens signed with the certified key', () => {
    const { records } = parseKeyDocument({ valid: certs.valid, other: certs.other });
    expect(check(tokenFor(certs.signer, 'RS256', 'valid'), records)).toEqual({ candidates: 1, verified: true });
    expect(check(tokenFor(certs.signer, 'PS256', 'valid'), records)).toEqual({ candidates: 1, verified: true });
    expect(check(tokenFor(certs.signer, 'RS256', undefined), records)).toEqual({ candidates: 2, verified: true });
  });

  it('still uses an expired certificate, as ESP does', () => {
    expect(Date.parse(new X509Certificate(certs.expired).validTo)).toBeLessThan(Date.now());
    const { records, skipped } = parseKeyDocument({ expired: certs.expired });
    expect(skipped).toEqual([]);
    expect(check(tokenFor(certs.signer, 'RS256', 'expired'), records)).toEqual({ candidates: 1, verified: true });
  });

  it("rejects a token signed by another certificate's key and gives an ES256 token no candidate", () => {
    const { records } = parseKeyDocument({ valid: certs.valid, other: certs.other });
    expect(check(tokenFor(certs.signer, 'RS256', 'other'), records)).toEqual({ candidates: 1, verified: false });
    const ec = makeKey('ES256', 'valid');
    expect(check(tokenFor(ec.privateKey, 'ES256', 'valid'), records)).toEqual({ candidates: 0, verified: false });
  });

  it('skips an RSA certificate under 2048 bits with a reason free of key material', () => {
    const { records, skipped } = parseKeyDocument({ weak: certs.rsa1024, valid: certs.valid });
    expect(records.map((r) => r.kid)).toEqual(['valid']);
    expect(skipped).toEqual([{ kid: 'weak', reason: 'RSA key of 1024 bits' }]);
    expect(leaks(skipped.map((s) => s.reason), pemBody(certs.rsa1024))).toBe(false);
  });

  it.each([
    ['an EC', 'ecP256', 'ec'],
    ['an RSA-PSS', 'rsaPss', 'rsa-pss'],
  ] as const)('refuses the whole map for %s certificate, as ESPv2 does', (_what, name, type) => {
    const parse = () => parseKeyDocument({ odd: certs[name], valid: certs.valid });
    expect(parse).toThrow(`the certificate "odd" holds a ${type} key; a certificate map must be RSA only`);
    try {
      parse();
    } catch (error) {
      expect(leaks([(error as Error).message], pemBody(certs[name]))).toBe(false);
    }
  });

  it('skips a framed member that is not a certificate, or that holds two', () => {
    const garbage = '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
    const { records, skipped } = parseKeyDocument({ garbage, two: certs.valid + certs.other, valid: certs.valid });
    expect(records.map((r) => r.kid)).toEqual(['valid']);
    expect(skipped).toEqual([
      { kid: 'garbage', reason: 'invalid certificate' },
      { kid: 'two', reason: 'more than one PEM block' },
    ]);
  });

  it('is recognised only when every member is a framed certificate (ESPv2 shouldCheckX509)', () => {
    const notADocument = 'not a JWKS or an X.509 certificate map';
    expect(() => parseKeyDocument({ valid: certs.valid, note: 'hello' })).toThrow(notADocument);
    expect(() => parseKeyDocument({ valid: certs.valid, n: 1 })).toThrow(notADocument);
    expect(() => parseKeyDocument({ valid: certs.valid.trimEnd() })).toThrow(notADocument);
    expect(() => parseKeyDocument({ '': certs.valid })).toThrow(notADocument);
  });
});

describe('parseKeyDocument: anything else', () => {
  it.each([
    ['an empty object', {}],
    ['an array', [{ kty: 'RSA' }]],
    ['null', null],
    ['a string', '{"keys":[]}'],
    ['a number', 42],
  ])('throws for %s', (_name, document) => {
    expect(() => parseKeyDocument(document)).toThrow('not a JWKS or an X.509 certificate map');
  });
});
