/**
 * The purpose-built LRU's bounds under an attacker's inputs, counted through the class (`size`, `byteSize`): a flood
 * of distinct verified tokens of very different sizes never holds more than either bound and always keeps the newest;
 * one large token evicts as many small ones as it must and is evicted whole; absurd `exp` values are held for the TTL
 * at most, and a missing or past one not at all; a token with another's fingerprint replaces it without serving it.
 */
import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { JwtClaims } from '../../lib/interfaces/jwt-claims.interface.js';
import type { KeyRecord } from '../../lib/keys/key-record.interface.js';
import { ValidatedTokenCache } from '../../lib/token/validated-token-cache.js';
import { claims, makeKey, signJwt } from '../support/keys.js';

const signer = makeKey('ES256', 'bounds-1');
const KEY: KeyRecord = { kid: 'bounds-1', key: createPublicKey(signer.privateKey), algorithms: new Set(['ES256']) };
const T0 = 1_900_000_000_000;
const TTL = 300_000;

/** A real signed token of `subject`, padded by `pad` characters of a claim, valid for an hour from T0. */
function token(subject: string, pad = 0, extra: Record<string, unknown> = {}): string {
  return signJwt(signer, claims('https://bounds.example', 'aud', { sub: subject, iat: T0 / 1000, exp: T0 / 1000 + 3600, pad: 'p'.repeat(pad), ...extra }));
}

const payloadOf = (compact: string) => JSON.parse(Buffer.from(compact.split('.')[1]!, 'base64url').toString()) as JwtClaims;
const put = (cache: ValidatedTokenCache, compact: string, nowMs = T0, payload = payloadOf(compact)) =>
  cache.set(compact, { claims: payload, provider: 'alpha', key: KEY }, nowMs);

describe('the validated-token cache under hostile inputs', () => {
  it('holds a flood of distinct tokens of very different sizes within both bounds, the newest always served', () => {
    const limits = { maxEntries: 200, maxBytes: 64 * 1024, ttlMs: TTL };
    const cache = new ValidatedTokenCache(limits);
    let seed = 42;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor((seed / 2 ** 31) * n));
    let largest = 0;
    for (let i = 0; i < 3000; i++) {
      // Mostly small tokens, some near the 4 KiB limit: the byte bound binds for some stretches, the entry bound for others.
      const one = token(`flood-${i}`, random(10) === 0 ? 2500 + random(150) : random(40));
      largest = Math.max(largest, one.length);
      put(cache, one, T0 + i);
      expect(cache.size).toBeLessThanOrEqual(limits.maxEntries);
      expect(cache.byteSize).toBeLessThanOrEqual(limits.maxBytes);
      expect(cache.get(one, T0 + i), `token ${i}`).toBeDefined();
    }
    expect(largest * 3).toBeGreaterThan(limits.maxBytes / 8);
    expect(cache.size).toBeGreaterThan(10);
  });

  it('lets one large token evict as many small ones as it must, oldest first, and evicts it whole later', () => {
    const small = Array.from({ length: 30 }, (_, i) => token(`small-${String(i).padStart(2, '0')}`));
    const big = token('big', 2650);
    const each = small[0]!.length * 3;
    expect(big.length).toBeLessThanOrEqual(4096);
    const cache = new ValidatedTokenCache({ maxEntries: 100, maxBytes: 30 * each, ttlMs: TTL });
    for (const one of small) put(cache, one);
    expect({ size: cache.size, bytes: cache.byteSize }).toEqual({ size: 30, bytes: 30 * each });
    put(cache, big);
    const evicted = Math.ceil((big.length * 3) / each);
    expect(cache.byteSize).toBeLessThanOrEqual(30 * each);
    expect(evicted).toBeGreaterThan(5);
    // The oldest small tokens went, just enough of them; the newer ones and the big one stay.
    expect(cache.get(big, T0)).toBeDefined();
    const served = small.map((one) => cache.get(one, T0) !== undefined);
    expect(served).toEqual(small.map((_, i) => i >= evicted));
    // Now the big one is older than the small ones just looked up: the next small token pushes it out whole.
    put(cache, token('later-00'));
    expect(cache.get(big, T0)).toBeUndefined();
    for (let i = 1; i < evicted; i++) put(cache, token(`later-${String(i).padStart(2, '0')}`));
    expect(cache.byteSize).toBe(cache.size * each);
    expect(cache.size).toBe(30);
  });

  it.each([
    ['1e19', 1e19],
    ['the largest the reader lets through (2^64 - 2048)', 2 ** 64 - 2048],
    ['Infinity (JSON 1e400: the reader refuses it, the cache would still stop at the TTL)', Number.POSITIVE_INFINITY],
  ])('holds a token whose exp is %s for the TTL and no longer', (_, exp) => {
    const cache = new ValidatedTokenCache({ maxEntries: 10, maxBytes: 1 << 20, ttlMs: TTL });
    const one = token('far');
    put(cache, one, T0, { ...payloadOf(one), exp });
    expect(cache.get(one, T0 + TTL - 1)).toBeDefined();
    expect(cache.get(one, T0 + TTL)).toBeUndefined();
    expect({ size: cache.size, bytes: cache.byteSize }).toEqual({ size: 0, bytes: 0 });
  });

  it.each([
    ['missing', undefined],
    ['NaN', Number.NaN],
    ['now', T0 / 1000],
    ['in the past', T0 / 1000 - 1],
    ['-Infinity', Number.NEGATIVE_INFINITY],
  ])('keeps no token whose exp is %s', (_, exp) => {
    const cache = new ValidatedTokenCache({ maxEntries: 10, maxBytes: 1 << 20, ttlMs: TTL });
    const one = token('none');
    put(cache, one, T0, { ...payloadOf(one), exp } as JwtClaims);
    expect({ size: cache.size, bytes: cache.byteSize, served: cache.get(one, T0) !== undefined }).toEqual({ size: 0, bytes: 0, served: false });
  });

  it('lets a token with another\'s fingerprint replace it on set, never serve it, and count once', () => {
    const cache = new ValidatedTokenCache({ maxEntries: 10, maxBytes: 1 << 20, ttlMs: TTL });
    const real = token('real');
    const signature = real.split('.')[2]!;
    // Same last 32 characters, another token before them (as only a verified token can be set, this is a stand-in
    // for a signature collision: the cache must still tell the two apart).
    const twin = `${token('twin', 8).split('.').slice(0, 2).join('.')}.${signature}`;
    expect(twin.slice(-32)).toBe(real.slice(-32));
    put(cache, real);
    expect(cache.get(twin, T0)).toBeUndefined();
    put(cache, twin);
    expect(cache.get(real, T0)).toBeUndefined();
    expect(cache.get(twin, T0)?.claims.sub).toBe('twin');
    expect({ size: cache.size, bytes: cache.byteSize }).toEqual({ size: 1, bytes: twin.length * 3 });
  });

  it('evicts expired entries like live ones: a flood of short-lived tokens stays within the bounds unlooked-up', () => {
    const cache = new ValidatedTokenCache({ maxEntries: 50, maxBytes: 1 << 20, ttlMs: 10 });
    for (let i = 0; i < 500; i++) put(cache, token(`brief-${i}`), T0 + i * 100);
    expect(cache.size).toBe(50);
    expect(cache.byteSize).toBeLessThanOrEqual(50 * token('brief-499').length * 3);
  });
});
