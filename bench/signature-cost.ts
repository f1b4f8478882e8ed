// The cost of one signature check as any verifier must pay it (split the token, decode the signature, crypto.verify
// with a KeyObject), timed in the orchestrator before the HTTP modes: issue 18 budgets a verified request's added CPU
// as this plus 15 µs. Medians of short rounds, so one slow spell of the shared machine does not set it.
import { type KeyObject, createPublicKey, verify } from 'node:crypto';
import type { BenchKey } from './tokens.js';

/** µs per signature check of `token` with `key`'s public half: the median of `rounds` windows of `seconds`. */
export function signatureCostUs(token: string, key: BenchKey, rounds = 7, seconds = 0.2): number {
  const publicKey: KeyObject = createPublicKey({ key: key.jwk as never, format: 'jwk' });
  const verifyKey = key.alg === 'ES256' ? { key: publicKey, dsaEncoding: 'ieee-p1363' as const } : publicKey;
  const check = () => {
    const dot = token.lastIndexOf('.');
    return verify('sha256', Buffer.from(token.slice(0, dot)), verifyKey, Buffer.from(token.slice(dot + 1), 'base64url'));
  };
  if (!check()) throw new Error(`the ${key.alg} bench token does not verify`);
  const perRound: number[] = [];
  for (let round = 0; round < rounds; round++) {
    let n = 0;
    const start = performance.now();
    const end = start + seconds * 1000;
    while (performance.now() < end) {
      for (let i = 0; i < 16; i++) check();
      n += 16;
    }
    perRound.push(((performance.now() - start) * 1000) / n);
  }
  return perRound.sort((a, b) => a - b)[Math.floor(perRound.length / 2)]!;
}
