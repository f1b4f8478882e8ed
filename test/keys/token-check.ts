import { type KeyObject, createHmac } from 'node:crypto';
import type { KeyRecord } from '../../lib/keys/key-record.interface.js';
import { selectKeys } from '../../lib/keys/select-keys.js';
import { verifySignature } from '../../lib/keys/verify-signature.js';
import { parseJwt } from '../../lib/token/parse-jwt.js';
import { type TestKey, claims, signJwt } from '../support/keys.js';

/** The outcome of one token against a key set: how many keys ESPv2's selection left, and whether one verified. */
export interface Outcome {
  candidates: number;
  verified: boolean;
}

/**
 * Runs a token through the library's selection and signature check. Returns booleans and counts only, so a failing
 * assertion never prints key material or a token.
 */
export function check(token: string, records: readonly KeyRecord[]): Outcome {
  const jwt = parseJwt(token, 8192);
  const candidates = selectKeys(records, jwt.header.alg, jwt.header.kid);
  const verified = candidates.some((record) => verifySignature(jwt, record));
  return { candidates: candidates.length, verified };
}

/** A token of a test issuer signed by `privateKey` with `alg` (RS256, PS256, ES256 or EdDSA) and `kid` (none when undefined). */
export function tokenFor(privateKey: KeyObject, alg: TestKey['alg'], kid: string | undefined): string {
  return signJwt({ kid: kid ?? '', alg, privateKey, jwk: {} }, claims('https://issuer.test', 'aud'), { kid });
}

/** An HS token signed with the raw `secret`. */
export function hmacToken(secret: Buffer, alg: 'HS256' | 'HS384' | 'HS512'): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64({ alg, typ: 'JWT' })}.${b64(claims('https://issuer.test', 'aud'))}`;
  return `${input}.${createHmac(`sha${alg.slice(2)}`, secret).update(input).digest('base64url')}`;
}
