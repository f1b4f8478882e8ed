/**
 * The signature check's reused signing-input buffer (lib/keys/verify-signature.ts): every algorithm, HMAC included,
 * must verify exactly the bytes `Buffer.from(signingInput)` gives (the pre-issue-18 code), whatever size came before,
 * and whatever the signing input holds, non-ASCII, surrogate pairs and lone surrogates too (the reader never hands
 * those over, but a ParsedJwt built elsewhere may). A ParsedJwt kept while others are read and checked still verifies:
 * nothing in it is a view of either reused buffer.
 */
import { type KeyObject, constants, createHmac, createSecretKey, generateKeyPairSync, sign } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { KeyRecord } from '../../lib/keys/key-record.interface.js';
import { verifySignature } from '../../lib/keys/verify-signature.js';
import { parseJwt } from '../../lib/token/parse-jwt.js';
import type { ParsedJwt } from '../../lib/token/parsed-jwt.interface.js';
import { Rng } from '../fuzz/mutators.js';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ed = generateKeyPairSync('ed25519');
const secret = createSecretKey(Buffer.from('a 32-byte HMAC secret for review'));

interface Signer {
  alg: string;
  verifyKey: KeyObject;
  sign(data: Buffer): Buffer;
}

const SIGNERS: Signer[] = [
  { alg: 'RS256', verifyKey: rsa.publicKey, sign: (data) => sign('sha256', data, rsa.privateKey) },
  { alg: 'RS512', verifyKey: rsa.publicKey, sign: (data) => sign('sha512', data, rsa.privateKey) },
  {
    alg: 'PS384',
    verifyKey: rsa.publicKey,
    sign: (data) => sign('sha384', data, { key: rsa.privateKey, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }),
  },
  { alg: 'ES256', verifyKey: ec.publicKey, sign: (data) => sign('sha256', data, { key: ec.privateKey, dsaEncoding: 'ieee-p1363' }) },
  { alg: 'EdDSA', verifyKey: ed.publicKey, sign: (data) => sign(null, data, ed.privateKey) },
  ...(['HS256', 'HS384', 'HS512'] as const).map((alg) => ({
    alg,
    verifyKey: secret,
    sign: (data: Buffer) => createHmac(`sha${alg.slice(2)}`, secret).update(data).digest(),
  })),
];

const record = (signer: Signer): KeyRecord => ({ key: signer.verifyKey, algorithms: new Set([signer.alg]) });

/** A ParsedJwt as the check sees it; only `header.alg`, `signingInput` and `signature` matter to it. */
function parsed(alg: string, signingInput: string, signature: Buffer): ParsedJwt {
  return { raw: `${signingInput}.x`, header: { alg }, payload: { iss: 'https://review18.example.com', exp: 1 }, signingInput, signature };
}

const PIECES = ['a', 'Z', '.', '-', '_', 'é', '☕', '😀', '\uD800', '\uDFFF', '\uDBFF\uDFFF', '\uFFFD', '\uFEFF', '\0'];

function signingInput(rng: Rng): string {
  const size = rng.pick([0, 1, 100, 1_364, 1_366, 4_095, 4_096, 4_097, 9_000]);
  let text = 'x'.repeat(size);
  for (let i = rng.int(4); i > 0; i--) {
    const at = rng.int(text.length + 1);
    text = text.slice(0, at) + rng.pick(PIECES) + text.slice(at);
  }
  return text;
}

describe('the signature check with its reused signing-input buffer', () => {
  it('verifies exactly the UTF-8 bytes of the signing input, for every algorithm, after any size', () => {
    const rng = new Rng(0x18_5);
    for (let index = 0; index < 600; index++) {
      const signer = rng.pick(SIGNERS);
      const input = signingInput(rng);
      // The signature is over what Buffer.from() makes of the string (lone surrogates become U+FFFD's bytes).
      const signature = signer.sign(Buffer.from(input));
      expect(verifySignature(parsed(signer.alg, input, signature), record(signer)), `${signer.alg} case ${index}`).toBe(true);
      // One more or one fewer byte: a buffer that kept the previous call's tail, or cut this one short, would show.
      expect(verifySignature(parsed(signer.alg, `${input}x`, signature), record(signer)), `${signer.alg} +1, case ${index}`).toBe(false);
      if (input.length > 0) expect(verifySignature(parsed(signer.alg, input.slice(0, -1), signature), record(signer))).toBe(false);
    }
  });

  it('verifies a signing input of 3 bytes per UTF-16 unit (the buffer is sized for the worst case)', () => {
    for (const signer of SIGNERS) {
      for (const input of ['☕'.repeat(5_000), '\uD800'.repeat(5_000), '😀'.repeat(3_000), 'x']) {
        expect(verifySignature(parsed(signer.alg, input, signer.sign(Buffer.from(input))), record(signer)), signer.alg).toBe(true);
      }
    }
  });

  it('verifies signing inputs past the 64 KiB it keeps a buffer for (each gets its own), between smaller ones', () => {
    for (const signer of SIGNERS) {
      for (const input of ['a'.repeat(30_000), 'b'.repeat(5), '☕'.repeat(25_000), 'c'.repeat(100), 'd'.repeat(21_845), 'e'.repeat(21_846)]) {
        expect(verifySignature(parsed(signer.alg, input, signer.sign(Buffer.from(input))), record(signer)), `${signer.alg} ${input.length}`).toBe(true);
        expect(verifySignature(parsed(signer.alg, `${input}!`, signer.sign(Buffer.from(input))), record(signer))).toBe(false);
      }
    }
  });

  it('keeps a parsed token whole while larger and smaller tokens are read and checked', () => {
    const [rs, hs] = [SIGNERS[0]!, SIGNERS[5]!];
    const token = (signer: Signer, pad: number) => {
      const head = Buffer.from(JSON.stringify({ alg: signer.alg })).toString('base64url');
      const body = Buffer.from(JSON.stringify({ sub: 's'.repeat(pad) })).toString('base64url');
      return `${head}.${body}.${signer.sign(Buffer.from(`${head}.${body}`)).toString('base64url')}`;
    };
    const kept = [parseJwt(token(rs, 10), 1 << 20), parseJwt(token(hs, 7_000), 1 << 20)];
    const snapshot = kept.map((jwt) => JSON.stringify({ ...jwt, signature: jwt.signature.toString('hex') }));
    for (const pad of [20_000, 1, 5_000, 50_000, 0]) {
      for (const signer of [rs, hs]) {
        const other = parseJwt(token(signer, pad), 1 << 20);
        expect(verifySignature(other, record(signer))).toBe(true);
        expect(verifySignature(kept[0]!, record(rs))).toBe(true);
        expect(verifySignature(kept[1]!, record(hs))).toBe(true);
      }
    }
    expect(kept.map((jwt) => JSON.stringify({ ...jwt, signature: jwt.signature.toString('hex') }))).toEqual(snapshot);
  });

  it('answers false, not a throw, for an algorithm name outside the table', () => {
    // The reader refuses these first; the check must still not reach Object.prototype through its digest table.
    for (const alg of ['HSconstructor', 'HS1', 'RS__proto__', 'ES']) {
      expect(verifySignature(parsed(alg, 'a.b', Buffer.alloc(32)), record(SIGNERS[5]!))).toBe(false);
    }
  });
});
