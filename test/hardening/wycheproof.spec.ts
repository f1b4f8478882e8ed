/**
 * Project Wycheproof vectors (C2SP/wycheproof, testvectors_v1) against the library's JWS layer and its signature
 * primitive, read from WYCHEPROOF_DIR or the repository's copy in test/vectors/wycheproof (LICENSE and SOURCE.txt beside it):
 *
 * - json_web_signature_test.json: every compact case through parseJwt → selectKeys → verifySignature, with the key
 *   built as the library builds it for its source (an `oct` key as a spec-written secret, any other as the public part
 *   of a remote JWK). JSON-serialization cases are shown to be refused by the reader. Claims are not checked: the
 *   payloads are not JWT claims.
 * - ecdsa_secp256r1_sha256_p1363_test.json (ES256), rsa_signature_2048_sha256_test.json (RS256) and ed25519_test.json
 *   (EdDSA): every case whose message a string can carry, through verifySignature alone.
 *
 * Why: these are known-answer tests written against real verifier bugs (malleable encodings, padding oracles, key and
 * algorithm confusion, `alg: none`). An invalid vector must never be accepted; a valid one may be rejected only where
 * the reader is deliberately stricter, and each such case is listed below with its reason, the lists compared exactly
 * so that any change of behaviour fails here.
 */
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../lib/errors/auth-error.js';
import type { KeyRecord } from '../../lib/keys/key-record.interface.js';
import { parseJwt } from '../../lib/token/parse-jwt.js';
import {
  type AcceptablePolicy,
  type EcdsaGroup,
  type EddsaGroup,
  type Expected,
  type JwsCase,
  type JwsGroup,
  MAX_TOKEN_BYTES,
  type Outcome,
  type RsaGroup,
  type SignatureCase,
  type Verdict,
  expectedVerdict,
  fromJwk,
  groupBy,
  jwsGroupKeys,
  loadVectors,
  once,
  p256Jwk,
  primitiveVerdict,
  signingInputOf,
  tally,
  throughReader,
  throughSignatureLayer,
  vectorsPresent,
  wycheproofDir,
} from './wycheproof-kit.js';

const dir = wycheproofDir();

// ---------------------------------------------------------------------------------------------------------------
// Deliberate differences, each an exact list (tcIds of json_web_signature_test.json unless said otherwise)
// ---------------------------------------------------------------------------------------------------------------

/**
 * Valid JWS vectors that parseJwt refuses, by the reader's message. parseJwt reads a JWT, so its payload must be a
 * JSON object (RFC 7519 §7.2 step 10, as jwt_verify_lib) — and no valid vector here has one: they sign `foo`, bytes,
 * prose, an empty payload. So the full layer accepts none of the 46; the signature layer below still runs them.
 */
const READER_REFUSES_VALID: Record<string, number[]> = {
  // `foo`, `Test`, `a`, NUL bytes, 0xe0…0xff (not UTF-8), `123400` (JSON, but a number), RFC 7520's prose.
  'reader: Jwt payload is an invalid JSON': [
    1, 18, 33, 260, 261, 262, 263, 265, 266, 267, 269, 270, 271, 273, 274, 275, 287, 288, 321, 322, 323, 326, 327, 328,
    345, 346, 347, 348, 349, 350, 351, 352, 357, 358, 359, 376, 377, 378,
  ],
  // An empty payload is an empty segment, which the reader refuses before decoding anything (ESPv2: "3 sections").
  'reader: Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections': [259, 264, 268, 272, 320, 325],
  // Wycheproof calls these valid although a `?` sits inside the base64url (a lenient decoder skips it); the reader
  // takes only the base64url alphabet, so a token has one spelling.
  'reader: Jwt header is an invalid Base64url encoded': [372],
  'reader: Jwt payload is an invalid Base64url encoded': [373],
};

/**
 * Valid JWS vectors that the signature layer (the reader's payload-must-be-claims rule lifted) still rejects: where the
 * library is deliberately stricter than Wycheproof, which verifies with the token's `alg` and a lenient decoder.
 */
const STRICTER_THAN_WYCHEPROOF: Record<number, { stage: string; why: string }> = {
  // RFC 7520 Figure 20 is PS384, but the group's JWK says `alg: PS256`: the algorithm comes from the key, never the
  // token (RFC 7517 §4.4; ESPv2 skips a key whose alg differs), so no key is a candidate.
  346: { stage: 'no candidate key', why: 'token alg PS384, key alg PS256' },
  350: { stage: 'no candidate key', why: 'token alg PS384, key alg PS256 (key_ops group)' },
  // RFC 7520 Figure 27's JWK says `alg: ES521`, which is no JWA name (ES512 is): jwkToKeyRecord skips a key whose alg
  // does not fit its type rather than guess.
  347: { stage: 'no candidate key', why: 'JWK alg "ES521" is not a JWA algorithm' },
  351: { stage: 'no candidate key', why: 'JWK alg "ES521" is not a JWA algorithm (key_ops group)' },
  // `?` inserted into the header / payload base64url: strict alphabet (see READER_REFUSES_VALID).
  372: { stage: 'reader: Jwt header is an invalid Base64url encoded', why: 'non-alphabet character in the header' },
  373: { stage: 'reader: payload is not strict base64url', why: 'non-alphabet character in the payload' },
};

/**
 * Defects of the vector file, not of the library: these "invalid" cases (`invalidBase64Padding`,
 * `invalidBase64PaddingInPayload`; the padding they describe was lost upstream) are byte-for-byte the JWS of valid
 * tcId 357 in the same group, so no deterministic verifier can tell them apart. The full layer rejects all three
 * (the payload `Test` is not a JSON object), so they are exempt nowhere there; the signature layer must give each the
 * verdict of its twin, and the test proves the twins identical rather than trusting this comment.
 */
const IDENTICAL_TO_A_VALID_VECTOR: Record<number, number> = { 367: 357, 370: 357 };

/** Group keys the library holds no record for, by group comment and reason (only the public part is used). */
const KEYS_NOT_USED = [
  { group: 'rfc7520', skipped: 'alg ES521 does not fit the key type' },
  { group: 'rfc7520WithKeyOps', skipped: 'alg ES521 does not fit the key type' },
  { group: 'rsa_encryption', skipped: 'use is "enc"' },
  { group: 'ec_key_for_encryption', skipped: 'use is "enc"' },
  { group: 'rsa_encryption', skipped: 'key_ops lacks verify' },
  { group: 'ec_key_for_encryption', skipped: 'key_ops lacks verify' },
];

/**
 * "acceptable" cases of the RSA file. MissingNull (a DigestInfo without the NULL parameters): rejected. RFC 8017
 * §8.2.2 compares the whole encoding, and jwt_verify_lib (BoringSSL's RSA_verify, as ESPv2) rejects it; accepting it
 * would give a signature two encodings.
 */
const RSA_ACCEPTABLE: AcceptablePolicy = { MissingNull: 'rejected' };
/** The ECDSA P1363 and Ed25519 files have no "acceptable" case; one appearing must be decided here first. */
const NO_ACCEPTABLE: AcceptablePolicy = {};

// ---------------------------------------------------------------------------------------------------------------

// The vectors ship with the repository: a missing file is a failure, never a silent pass.
describe('Wycheproof', () => {
  it(`reads its vectors from ${dir}`, () => {
    expect(vectorsPresent(dir), `Wycheproof vectors not found at ${dir}; set WYCHEPROOF_DIR`).toBe(true);
  });
});

if (vectorsPresent(dir)) {
  describeJws();
  describeSignatures<EcdsaGroup>({
    file: 'ecdsa_secp256r1_sha256_p1363_test.json',
    alg: 'ES256',
    // The groups without publicKeyJwk carry the same key as an uncompressed point; both go through jwkToKeyRecord.
    keyOf: (group) => fromJwk(group.publicKeyJwk ?? p256Jwk(group.publicKey.uncompressed)).records,
    policy: NO_ACCEPTABLE,
    notRun: 0,
  });
  describeSignatures<RsaGroup>({
    file: 'rsa_signature_2048_sha256_test.json',
    alg: 'RS256',
    keyOf: (group) => fromJwk(group.keyJwk).records,
    policy: RSA_ACCEPTABLE,
    // tcId 7 signs 0xe0…0xff, which is not UTF-8.
    notRun: 1,
  });
  describeSignatures<EddsaGroup>({
    file: 'ed25519_test.json',
    alg: 'EdDSA',
    keyOf: (group) => fromJwk(group.publicKeyJwk).records,
    policy: NO_ACCEPTABLE,
    // Most known-answer (Ktv) and Tink-overflow messages are random bytes, not UTF-8.
    notRun: 67,
  });
}

interface JwsResult {
  tcId: number;
  expected: Expected;
  flags: string[];
  /** The JWS as given: a compact string, or the JSON serialization (text or object). */
  jws: unknown;
  compact: boolean;
  group: number;
  reader: Outcome;
  signatureLayer: Outcome;
}

function describeJws(): void {
  const file = 'json_web_signature_test.json';
  const { path, data } = loadVectors<JwsGroup>(dir, file);

  const results = once(() => {
    const all: JwsResult[] = [];
    data.testGroups.forEach((group, index) => {
      const { records } = jwsGroupKeys(group);
      for (const test of group.tests) all.push(runJwsCase(test, index, records));
    });
    return all;
  });

  describe(`Wycheproof JWS vectors: ${path}`, () => {
    it(`ran ${data.numberOfTests} cases from ${path}`, () => {
      const all = results();
      expect(all).toHaveLength(data.numberOfTests);
      expect(data.numberOfTests).toBe(401);
      const count = (layer: 'reader' | 'signatureLayer', verdict: Verdict) => tally(all, (r) => r[layer].verdict === verdict);
      console.log(
        `[wycheproof] ${file}: ran ${all.length}/${data.numberOfTests} ` +
          `(valid ${tally(all, (r) => r.expected === 'valid')}, invalid ${tally(all, (r) => r.expected === 'invalid')}); ` +
          `parseJwt→selectKeys→verifySignature accepted ${count('reader', 'accepted')}, ` +
          `threw ${count('reader', 'threw')}; signature layer accepted ${count('signatureLayer', 'accepted')}, ` +
          `threw ${count('signatureLayer', 'threw')}`,
      );
    });

    it('never accepts an invalid vector through parseJwt → selectKeys → verifySignature, and never throws', () => {
      const all = results();
      const wrong = all
        .filter((r) => r.reader.verdict === 'threw' || (r.expected !== 'valid' && r.reader.verdict !== 'rejected'))
        .map((r) => ({ tcId: r.tcId, expected: r.expected, verdict: r.reader.verdict, stage: r.reader.stage }));
      expect(wrong).toEqual([]);
      // No vector is "acceptable"; one appearing needs a decision above before it can pass.
      expect(all.filter((r) => r.expected === 'acceptable').map((r) => r.tcId)).toEqual([]);
    });

    it('rejects exactly the listed valid vectors through that layer, each for the listed reason', () => {
      const refused = results().filter((r) => r.expected === 'valid' && r.reader.verdict !== 'accepted');
      expect(groupBy(refused, (r) => r.reader.stage, (r) => r.tcId)).toEqual(READER_REFUSES_VALID);
    });

    it('with the payload-must-be-claims rule lifted, accepts no invalid vector (but exact twins of a valid one)', () => {
      const all = results();
      const byId = new Map(all.map((r) => [r.tcId, r]));
      const wrong = all
        .filter((r) => r.signatureLayer.verdict === 'threw' || (r.expected !== 'valid' && r.signatureLayer.verdict !== 'rejected'))
        .filter((r) => !Object.hasOwn(IDENTICAL_TO_A_VALID_VECTOR, r.tcId))
        .map((r) => ({ tcId: r.tcId, expected: r.expected, ...r.signatureLayer }));
      expect(wrong).toEqual([]);
      // The exemption holds only while each listed case is the very JWS of its valid twin, under the same group key,
      // and gets the twin's verdict.
      const twins = Object.entries(IDENTICAL_TO_A_VALID_VECTOR).map(([id, twinId]) => {
        const [self, twin] = [byId.get(Number(id)), byId.get(twinId)];
        return {
          tcId: Number(id),
          invalidPerWycheproof: self?.expected === 'invalid',
          twinValid: twin?.expected === 'valid',
          sameJws: self !== undefined && self.jws === twin?.jws,
          sameGroup: self !== undefined && self.group === twin?.group,
          sameVerdict: self !== undefined && self.signatureLayer.verdict === twin?.signatureLayer.verdict,
        };
      });
      expect(twins).toEqual(
        Object.keys(IDENTICAL_TO_A_VALID_VECTOR).map((id) => ({
          tcId: Number(id),
          invalidPerWycheproof: true,
          twinValid: true,
          sameJws: true,
          sameGroup: true,
          sameVerdict: true,
        })),
      );
    });

    it('with that rule lifted, rejects exactly the valid vectors where the library is deliberately stricter', () => {
      const refused = results()
        .filter((r) => r.expected === 'valid' && r.signatureLayer.verdict !== 'accepted')
        .map((r) => ({ tcId: r.tcId, stage: r.signatureLayer.stage }));
      const listed = Object.entries(STRICTER_THAN_WYCHEPROOF).map(([id, { stage }]) => ({ tcId: Number(id), stage }));
      expect(refused).toEqual(listed);
    });

    it('refuses the JSON-serialization cases in the reader itself', () => {
      const json = results().filter((r) => !r.compact);
      // The cases flagged JsonSerialization are exactly those whose JWS is not compact.
      const flagged = results().filter((r) => r.flags.includes('JsonSerialization'));
      expect(json.map((r) => r.tcId)).toEqual(flagged.map((r) => r.tcId));
      expect(json.map((r) => r.tcId)).toEqual([17]);
      const parsed = json.map((r) => {
        const text = typeof r.jws === 'string' ? r.jws : JSON.stringify(r.jws);
        try {
          parseJwt(text, MAX_TOKEN_BYTES);
          return { tcId: r.tcId, refused: 'no' };
        } catch (error) {
          return { tcId: r.tcId, refused: error instanceof AuthError ? 'AuthError' : 'other error' };
        }
      });
      expect(parsed).toEqual(json.map((r) => ({ tcId: r.tcId, refused: 'AuthError' })));
    });

    it('holds no key record for exactly the listed group keys (encryption keys, an alg that fits no type)', () => {
      const skipped = data.testGroups
        .map((group) => ({ group: group.comment, skipped: jwsGroupKeys(group).skipped }))
        .filter((entry) => entry.skipped !== undefined);
      expect(skipped).toEqual(KEYS_NOT_USED);
    });
  });
}

function runJwsCase(test: JwsCase, group: number, records: readonly KeyRecord[]): JwsResult {
  const base = { tcId: test.tcId, expected: test.result, flags: test.flags, jws: test.jws, group };
  // JSON serialization: an object, or its text. Both verdicts are the reader's refusal of the text (tested on its own).
  const compact = typeof test.jws === 'string' && !test.jws.trimStart().startsWith('{');
  const raw = typeof test.jws === 'string' ? test.jws : JSON.stringify(test.jws);
  if (!compact) {
    const refused = throughReader(raw, records);
    return { ...base, compact, reader: refused, signatureLayer: refused };
  }
  return { ...base, compact, reader: throughReader(raw, records), signatureLayer: throughSignatureLayer(raw, records) };
}

interface SignatureFile<G> {
  file: string;
  alg: string;
  /** The library's key records for a group's public key (none when the library would not use it). */
  keyOf: (group: G) => KeyRecord[];
  policy: AcceptablePolicy;
  /** How many cases cannot be run: their message is not UTF-8, and verifySignature signs a string's UTF-8. */
  notRun: number;
}

interface SignatureResult {
  tcId: number;
  expected: Verdict | 'undecided';
  verdict: Verdict | 'not run';
}

function describeSignatures<G extends { tests: SignatureCase[] }>(spec: SignatureFile<G>): void {
  const { path, data } = loadVectors<G>(dir, spec.file);

  const results = once(() => {
    const all: SignatureResult[] = [];
    for (const group of data.testGroups) {
      const records = spec.keyOf(group);
      for (const test of group.tests) {
        const expected = expectedVerdict(test.result, test.flags, spec.policy);
        const signingInput = signingInputOf(test.msg);
        // A key the library would not hold (none here) verifies nothing: that is the library's verdict.
        const record = records.find((r) => r.algorithms.has(spec.alg));
        let verdict: SignatureResult['verdict'] = 'not run';
        if (signingInput !== undefined) {
          verdict = record ? primitiveVerdict(spec.alg, signingInput, test.sig, record) : 'rejected';
        }
        all.push({ tcId: test.tcId, expected, verdict });
      }
    }
    return all;
  });

  describe(`Wycheproof ${spec.alg} vectors through verifySignature: ${path}`, () => {
    const rest = spec.notRun === 0 ? '' : ` (${spec.notRun} not run: their message is not UTF-8)`;
    it(`ran ${data.numberOfTests - spec.notRun} of ${data.numberOfTests} cases from ${path}${rest}`, () => {
      const all = results();
      const ran = all.filter((r) => r.verdict !== 'not run');
      expect(all).toHaveLength(data.numberOfTests);
      expect(ran).toHaveLength(data.numberOfTests - spec.notRun);
      console.log(
        `[wycheproof] ${spec.file}: ran ${ran.length}/${data.numberOfTests} through verifySignature (${spec.alg}), ` +
          `not run ${all.length - ran.length} (message not UTF-8); accepted ${tally(ran, (r) => r.verdict === 'accepted')}, ` +
          `rejected ${tally(ran, (r) => r.verdict === 'rejected')}, threw ${tally(ran, (r) => r.verdict === 'threw')}`,
      );
    });

    it('gives every case that ran its expected verdict (invalid never accepted, nothing thrown)', () => {
      const wrong = results()
        .filter((r) => r.verdict !== 'not run' && r.verdict !== r.expected)
        .map(({ tcId, expected, verdict }) => ({ tcId, expected, verdict }));
      expect(wrong).toEqual([]);
    });

    it('builds a key record serving the algorithm for every group (the key is the library’s own parse)', () => {
      const serves = (group: G) => spec.keyOf(group).some((r) => r.algorithms.has(spec.alg));
      const without = data.testGroups.flatMap((group, index) => (serves(group) ? [] : [index]));
      expect(without).toEqual([]);
    });

    it('leaves out only cases whose message has no UTF-8 string (verifySignature takes a string)', () => {
      const notRun = results().filter((r) => r.verdict === 'not run').map((r) => r.tcId);
      const notUtf8 = data.testGroups
        .flatMap((group) => group.tests)
        .filter((t) => signingInputOf(t.msg) === undefined)
        .map((t) => t.tcId);
      expect(notRun).toEqual(notUtf8);
      expect(notRun).toHaveLength(spec.notRun);
    });
  });
}
