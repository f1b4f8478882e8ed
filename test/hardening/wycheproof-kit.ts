/**
 * Helpers for test/hardening/wycheproof.spec.ts: where the Project Wycheproof vectors live, their shapes, the key
 * records the library would build from a group's key, and the verdict of one case through the library's JWS layer
 * (parseJwt → selectKeys → verifySignature) or its signature primitive alone.
 *
 * Every helper returns verdicts, stages and counts only, so a failing assertion never prints a token, a signature or
 * key material. Nothing here reimplements a check of the library: the reader's rules are the reader's own.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AuthError } from '../../lib/errors/auth-error.js';
import type { JwtClaims } from '../../lib/interfaces/jwt-claims.interface.js';
import { jwkToKeyRecord } from '../../lib/keys/jwk-to-key-record.js';
import type { KeyRecord } from '../../lib/keys/key-record.interface.js';
import { selectKeys } from '../../lib/keys/select-keys.js';
import { isWeakSecret, symmetricKeyFromSpec } from '../../lib/keys/symmetric-key.js';
import { verifySignature } from '../../lib/keys/verify-signature.js';
import { decodeBase64Url } from '../../lib/token/base64url.util.js';
import { parseJwt } from '../../lib/token/parse-jwt.js';
import type { ParsedJwt } from '../../lib/token/parsed-jwt.interface.js';

/**
 * Far above any vector (the longest is under 1 KiB): the size limit is not what these vectors test, and a vector must
 * never be refused for its length alone.
 */
export const MAX_TOKEN_BYTES = 1 << 20;

/**
 * `WYCHEPROOF_DIR` (to run newer vectors), else the copy this repository carries in test/vectors/wycheproof (with its
 * Apache-2.0 LICENSE and SOURCE.txt naming the upstream commit): a plain clone runs them, nothing outside it is read.
 */
export function wycheproofDir(): string {
  const fromEnv = process.env['WYCHEPROOF_DIR'];
  if (fromEnv) return resolve(fromEnv);
  return resolve(dirname(fileURLToPath(import.meta.url)), '..', 'vectors', 'wycheproof');
}

export const vectorsPresent = (dir: string): boolean => existsSync(dir);

/** Wycheproof's verdict for one case. */
export type Expected = 'valid' | 'invalid' | 'acceptable';
/** What the library did with one case; `threw` means an exception escaped a function that must not throw. */
export type Verdict = 'accepted' | 'rejected' | 'threw';

export interface VectorFile<G> {
  algorithm?: string;
  numberOfTests: number;
  testGroups: G[];
}

export interface JwsCase {
  tcId: number;
  comment: string;
  flags: string[];
  /** A compact JWS, or (JSON serialization) the JSON text or object. */
  jws: unknown;
  result: Expected;
}

export interface JwsGroup {
  comment: string;
  public?: Record<string, unknown>;
  private?: Record<string, unknown>;
  tests: JwsCase[];
}

export interface SignatureCase {
  tcId: number;
  comment: string;
  flags: string[];
  /** Hex. */
  msg: string;
  /** Hex. */
  sig: string;
  result: Expected;
}

export interface EcdsaGroup {
  publicKey: { uncompressed: string };
  publicKeyJwk?: Record<string, unknown>;
  tests: SignatureCase[];
}

export interface RsaGroup {
  keyJwk: Record<string, unknown>;
  tests: SignatureCase[];
}

export interface EddsaGroup {
  publicKeyJwk: Record<string, unknown>;
  tests: SignatureCase[];
}

/** One vector file, read as it is (it must exist once the directory does: a missing file fails the run). */
export function loadVectors<G>(dir: string, file: string): { path: string; data: VectorFile<G> } {
  const path = resolve(dir, file);
  return { path, data: JSON.parse(readFileSync(path, 'utf8')) as VectorFile<G> };
}

// ---------------------------------------------------------------------------------------------------------------
// Keys
// ---------------------------------------------------------------------------------------------------------------

/** The private members of RSA and EC/OKP JWKs (RFC 7518 §6.2.2, §6.3.2): a remote set carries none of them. */
const PRIVATE_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth'];

export function publicPart(jwk: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(jwk).filter(([member]) => !PRIVATE_MEMBERS.includes(member)));
}

/** The key records of a group, or why the library would hold none (a log-line reason, never key material). */
export interface GroupKeys {
  records: KeyRecord[];
  skipped?: string;
}

/**
 * The key records the library would hold for a JWS group's key, built the way the library builds them for the key's
 * source: an `oct` key can only come from the spec (a remote set never yields an HMAC key), so its `k` goes through
 * `symmetricKeyFromSpec` (which drops the kid, as a spec-written secret has none); any other key is a member of a
 * remote JWKS, so its public part goes through `jwkToKeyRecord`.
 */
export function jwsGroupKeys(group: JwsGroup): GroupKeys {
  const publicJwk = group.public && Object.keys(group.public).length > 0 ? group.public : undefined;
  const jwk = publicJwk ?? group.private;
  if (!jwk) throw new Error(`group "${group.comment}" has no key`);
  if (jwk['kty'] === 'oct') {
    if (typeof jwk['k'] !== 'string') throw new Error(`group "${group.comment}" has an oct key without k`);
    const record = symmetricKeyFromSpec(jwk['k']);
    if (!record) return { records: [], skipped: 'not a base64 key' };
    // The spec reader refuses a short secret at start-up: such a definition never verifies anything.
    return isWeakSecret(record) ? { records: [], skipped: 'secret shorter than 32 bytes' } : { records: [record] };
  }
  return fromJwk(publicPart(jwk));
}

/** A remote JWKS member through the library's own parser. */
export function fromJwk(jwk: Record<string, unknown>): GroupKeys {
  const result = jwkToKeyRecord(jwk);
  return 'record' in result ? { records: [result.record] } : { records: [], skipped: result.skipped };
}

/** The JWK of an uncompressed P-256 point (`04 || x || y`), for the ECDSA groups that carry no `publicKeyJwk`. */
export function p256Jwk(uncompressedHex: string): Record<string, unknown> {
  const point = Buffer.from(uncompressedHex, 'hex');
  if (point.length !== 65 || point[0] !== 0x04) throw new Error('not an uncompressed P-256 point');
  const coordinate = (from: number) => point.subarray(from, from + 32).toString('base64url');
  return { kty: 'EC', crv: 'P-256', x: coordinate(1), y: coordinate(33) };
}

// ---------------------------------------------------------------------------------------------------------------
// The JWS layer
// ---------------------------------------------------------------------------------------------------------------

/** A verdict and the stage that decided it: `reader: <message>`, `no candidate key`, `signature` or `verified`. */
export interface Outcome {
  verdict: Verdict;
  stage: string;
}

/**
 * One compact JWS through the library's JWS layer as the strategy runs it, claims checks excepted: the strict reader,
 * ESPv2's key selection, then the signature against each candidate. `threw` marks an exception that is not the
 * reader's `AuthError` (a crash, which is a bug whatever the vector).
 */
export function throughReader(raw: string, records: readonly KeyRecord[]): Outcome {
  let jwt: ParsedJwt;
  try {
    jwt = parseJwt(raw, MAX_TOKEN_BYTES);
  } catch (error) {
    return readerRefusal(error);
  }
  return selectAndVerify(jwt, records);
}

/**
 * The same layer with the one reader rule that is about JWT claims lifted: the payload must be a JSON object. Every
 * valid JWS vector signs a payload that is not one (`foo`, bytes, prose), so without this the signature checks would
 * never see them, nor the 213 modified-padding signatures. The header and signature segments still go through the
 * real `parseJwt` (the payload segment replaced by an empty claims object, so the reader checks everything else);
 * the payload segment must be strict base64url by the library's own decoder (empty is the encoding of no bytes,
 * RFC 7515 §7.1); the signature covers the original `header.payload`.
 */
export function throughSignatureLayer(raw: string, records: readonly KeyRecord[]): Outcome {
  const segments = raw.split('.');
  if (segments.length !== 3) return { verdict: 'rejected', stage: 'reader: not three segments' };
  const [header, payload, signature] = segments;
  if (decodeBase64Url(payload) === undefined) {
    return { verdict: 'rejected', stage: 'reader: payload is not strict base64url' };
  }
  let probe: ParsedJwt;
  try {
    probe = parseJwt(`${header}.${EMPTY_CLAIMS}.${signature}`, MAX_TOKEN_BYTES);
  } catch (error) {
    return readerRefusal(error);
  }
  return selectAndVerify({ ...probe, raw, signingInput: `${header}.${payload}` }, records);
}

const EMPTY_CLAIMS = Buffer.from('{}').toString('base64url');

function selectAndVerify(jwt: ParsedJwt, records: readonly KeyRecord[]): Outcome {
  let candidates: KeyRecord[];
  try {
    candidates = selectKeys(records, jwt.header.alg, jwt.header.kid);
  } catch (error) {
    return crashed('selectKeys', error);
  }
  if (candidates.length === 0) return { verdict: 'rejected', stage: 'no candidate key' };
  for (const record of candidates) {
    const verdict = primitive(jwt, record);
    if (verdict === 'accepted') return { verdict, stage: 'verified' };
    if (verdict === 'threw') return { verdict, stage: 'verifySignature threw' };
  }
  return { verdict: 'rejected', stage: 'signature' };
}

/** The reader's refusal, by its message; anything but an `AuthError` is a crash. */
function readerRefusal(error: unknown): Outcome {
  return error instanceof AuthError ? { verdict: 'rejected', stage: `reader: ${error.message}` } : crashed('parseJwt', error);
}

function crashed(where: string, error: unknown): Outcome {
  return { verdict: 'threw', stage: `${where} threw ${error instanceof Error ? error.name : typeof error}` };
}

// ---------------------------------------------------------------------------------------------------------------
// The signature primitive
// ---------------------------------------------------------------------------------------------------------------

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * The `signingInput` string whose bytes are exactly `msgHex`, or undefined when there is none. `verifySignature`
 * signs `Buffer.from(signingInput)`, the UTF-8 encoding of a string, so a message that is not well-formed UTF-8 has
 * no string that encodes to it: such a case cannot be run through the primitive and is counted as not run.
 */
export function signingInputOf(msgHex: string): string | undefined {
  const bytes = Buffer.from(msgHex, 'hex');
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    return undefined;
  }
  // A guard, not an expectation: the round trip is what the primitive will sign.
  return Buffer.from(text).equals(bytes) ? text : undefined;
}

/**
 * One signature through `verifySignature`, given a ParsedJwt-like value (only `header.alg`, `signingInput` and
 * `signature` are read by the primitive). `threw` marks an exception escaping it: it promises a boolean.
 */
export function primitiveVerdict(alg: string, signingInput: string, sigHex: string, record: KeyRecord): Verdict {
  // The primitive never reads the payload or the raw token: they stay empty.
  const signature = Buffer.from(sigHex, 'hex');
  const jwt: ParsedJwt = { raw: '', header: { alg }, payload: {} as JwtClaims, signingInput, signature };
  return primitive(jwt, record);
}

function primitive(jwt: ParsedJwt, record: KeyRecord): Verdict {
  try {
    const result: unknown = verifySignature(jwt, record);
    if (typeof result !== 'boolean') return 'threw';
    return result ? 'accepted' : 'rejected';
  } catch {
    return 'threw';
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Expectations
// ---------------------------------------------------------------------------------------------------------------

/** What an "acceptable" case must give, per Wycheproof flag; a flag without a decision fails the run. */
export type AcceptablePolicy = Readonly<Record<string, 'accepted' | 'rejected'>>;

/**
 * The verdict a case must give: valid → accepted, invalid → rejected, acceptable → the policy's decision for its
 * flags (all of them must be decided, and agree), else `undecided` — which matches no verdict, so the case fails.
 */
export function expectedVerdict(
  result: Expected,
  flags: readonly string[],
  policy: AcceptablePolicy,
): Verdict | 'undecided' {
  if (result === 'valid') return 'accepted';
  if (result === 'invalid') return 'rejected';
  const decisions = new Set(flags.map((flag): 'accepted' | 'rejected' | undefined => policy[flag]));
  if (decisions.size !== 1 || decisions.has(undefined)) return 'undecided';
  return [...decisions][0] as 'accepted' | 'rejected';
}

/** Runs `compute` once, on first use, so a failure shows in a test rather than at collection. */
export function once<T>(compute: () => T): () => T {
  let value: { v: T } | undefined;
  return () => (value ??= { v: compute() }).v;
}

/** tcIds grouped by a key, each list sorted: small, readable objects for assertions. */
export function groupBy<T>(
  items: readonly T[],
  key: (item: T) => string,
  id: (item: T) => number,
): Record<string, number[]> {
  const groups: Record<string, number[]> = {};
  for (const item of items) (groups[key(item)] ??= []).push(id(item));
  for (const list of Object.values(groups)) list.sort((a, b) => a - b);
  return groups;
}

/** How many of `items` satisfy `test`: for the one-line summaries. */
export function tally<T>(items: readonly T[], test: (item: T) => boolean): number {
  return items.filter(test).length;
}
