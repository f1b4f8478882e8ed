/**
 * The validated-token cache's own bounds, with time handed in (`nowMs`) as the authenticator hands it the clock the
 * claims are judged by: least recently used out first, the entry and byte bounds, min(exp, TTL), the exact token
 * behind a fingerprint, keys dropped. A seeded run of random operations checks it against a plain list model.
 * test/key-store/token-cache.e2e.spec.ts covers the same cache in real apps.
 */
import { createPublicKey } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { JwtClaims } from '../../lib/interfaces/jwt-claims.interface.js';
import type { KeyRecord } from '../../lib/keys/key-record.interface.js';
import { type TokenCacheLimits, ValidatedTokenCache } from '../../lib/token/validated-token-cache.js';
import { claims, makeKey, signJwt } from '../support/keys.js';

const signer = makeKey('ES256', 'cache-1');
const keyOf = (kid: string): KeyRecord => ({ kid, key: createPublicKey(signer.privateKey), algorithms: new Set(['ES256']) });
const KEY = keyOf('cache-1');
const T0 = 1_900_000_000_000;
const HOUR = 3600;

/** A real signed token; `pad` characters of a claim make tokens of one length differ only where the test wants. */
function token(subject: string, extra: Record<string, unknown> = {}): string {
  return signJwt(signer, claims('https://issuer.example', 'aud', { sub: subject, iat: T0 / 1000, exp: T0 / 1000 + HOUR, ...extra }));
}

function payloadOf(compact: string): JwtClaims {
  return JSON.parse(Buffer.from(compact.split('.')[1]!, 'base64url').toString()) as JwtClaims;
}

function cacheWith(limits: Partial<TokenCacheLimits> = {}): ValidatedTokenCache {
  return new ValidatedTokenCache({ maxEntries: 1000, maxBytes: 8 << 20, ttlMs: 300_000, ...limits });
}

function put(cache: ValidatedTokenCache, compact: string, nowMs = T0, key = KEY): void {
  cache.set(compact, { claims: payloadOf(compact), provider: 'alpha', key }, nowMs);
}

/** Which of `tokens` are served at `nowMs`; each look-up that hits also makes that entry the most recent. */
const served = (cache: ValidatedTokenCache, tokens: string[], nowMs = T0) => tokens.map((one) => cache.get(one, nowMs) !== undefined);

describe('ValidatedTokenCache', () => {
  it('serves the entry set for a token: its claims, definition and key', () => {
    const cache = cacheWith();
    const a = token('a');
    put(cache, a);
    const entry = cache.get(a, T0 + 1);
    expect(entry?.claims).toEqual(payloadOf(a));
    expect(entry?.provider).toBe('alpha');
    expect(entry?.key).toBe(KEY);
    // The request's token is a new string each time: equal text, not the same string, is what is found.
    expect(cache.get(Buffer.from(a).toString(), T0 + 1)).toBe(entry);
  });

  it('evicts the least recently used entry: a hit makes its token the most recent', () => {
    const cache = cacheWith({ maxEntries: 3 });
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((subject) => token(subject));
    for (const one of [a, b, c]) put(cache, one!);
    expect(cache.get(a!, T0)).toBeDefined();
    put(cache, d!); // b is now the least recently used
    expect(served(cache, [b!])).toEqual([false]);
    put(cache, e!); // c, then a, d, e in recency order
    expect(served(cache, [c!, a!, d!, e!])).toEqual([false, true, true, true]);
    expect(cache.size).toBe(3);
  });

  it('is bounded by estimated bytes (three per character of the token), evicting the oldest', () => {
    const [a, b, c] = ['a', 'b', 'c'].map((subject) => token(subject));
    expect(new Set([a!.length, b!.length, c!.length]).size).toBe(1);
    const each = a!.length * 3;
    const cache = cacheWith({ maxBytes: 2 * each + each - 1 });
    put(cache, a!);
    put(cache, b!);
    expect(cache.byteSize).toBe(2 * each);
    put(cache, c!);
    expect(served(cache, [a!, b!, c!])).toEqual([false, true, true]);
    expect({ size: cache.size, bytes: cache.byteSize }).toEqual({ size: 2, bytes: 2 * each });
  });

  it('does not keep a token bigger than the byte bound alone, nor one over 4 KiB', () => {
    const small = token('small');
    const cache = cacheWith({ maxBytes: small.length * 3 - 1 });
    put(cache, small);
    expect({ size: cache.size, bytes: cache.byteSize }).toEqual({ size: 0, bytes: 0 });
    const roomy = cacheWith();
    const big = token('big', { padding: 'x'.repeat(4200) });
    expect(big.length).toBeGreaterThan(4096);
    put(roomy, big);
    expect(roomy.get(big, T0)).toBeUndefined();
  });

  it('serves an entry for the TTL from when it was set, then drops it', () => {
    const cache = cacheWith({ ttlMs: 1000 });
    const a = token('a');
    put(cache, a, T0);
    // A hit does not extend the TTL.
    expect(served(cache, [a], T0 + 999)).toEqual([true]);
    expect(served(cache, [a], T0 + 1000)).toEqual([false]);
    expect({ size: cache.size, bytes: cache.byteSize }).toEqual({ size: 0, bytes: 0 });
  });

  it('serves an entry no longer than its exp when that comes before the TTL, and keeps no expired token', () => {
    const cache = cacheWith({ ttlMs: 300_000 });
    const soon = token('soon', { exp: T0 / 1000 + 2 });
    put(cache, soon, T0);
    expect(served(cache, [soon], T0 + 1999)).toEqual([true]);
    expect(served(cache, [soon], T0 + 2000)).toEqual([false]);
    const expired = token('expired', { exp: T0 / 1000 });
    put(cache, expired, T0);
    expect(cache.size).toBe(0);
  });

  it('serves only the exact token behind a fingerprint, and a look-up of another does not refresh it', () => {
    const cache = cacheWith({ maxEntries: 2 });
    const a = token('a');
    const b = token('b');
    const [header, , signature] = a.split('.');
    const forged = `${header}.${token('mallory').split('.')[1]}.${signature}`;
    put(cache, a);
    put(cache, b);
    expect(cache.get(forged, T0)).toBeUndefined();
    put(cache, token('c')); // a stayed the least recently used
    expect(served(cache, [a, b])).toEqual([false, true]);
  });

  it('replaces the entry of the same token: one entry, counted once, with the new TTL', () => {
    const cache = cacheWith({ ttlMs: 1000 });
    const a = token('a');
    put(cache, a, T0);
    put(cache, a, T0 + 500);
    expect({ size: cache.size, bytes: cache.byteSize }).toEqual({ size: 1, bytes: a.length * 3 });
    expect(served(cache, [a], T0 + 1499)).toEqual([true]);
  });

  it('drops the entries of removed keys and keeps the others in their order', () => {
    const cache = cacheWith({ maxEntries: 3 });
    const other = keyOf('cache-2');
    const [a, b, c, d, e] = ['a', 'b', 'c', 'd', 'e'].map((subject) => token(subject));
    put(cache, a!, T0, KEY);
    put(cache, b!, T0, other);
    put(cache, c!, T0, KEY);
    cache.dropKeys(new Set([KEY]));
    expect({ size: cache.size, bytes: cache.byteSize }).toEqual({ size: 1, bytes: b!.length * 3 });
    put(cache, d!);
    put(cache, e!);
    put(cache, token('f')); // b, the oldest left, goes first
    expect(served(cache, [a!, b!, c!, d!, e!])).toEqual([false, false, false, true, true]);
  });

  it('matches a plain list model over a seeded run of random sets, look-ups, clock steps and key drops', () => {
    const limits = { maxEntries: 5, maxBytes: 0, ttlMs: 4000 };
    const keys = [keyOf('k0'), keyOf('k1')];
    // The run's clock covers about 150 s: tokens expire along it, so both the TTL and `exp` end entries.
    const pool = Array.from({ length: 12 }, (_, i) => token(`user-${i}`, { exp: T0 / 1000 + 20 + i * 15 }));
    limits.maxBytes = pool[0]!.length * 3 * 4; // the byte bound binds before the entry bound
    const cache = new ValidatedTokenCache(limits);
    /** The model: entries oldest first. */
    let model: { token: string; key: KeyRecord; until: number }[] = [];
    let seed = 18;
    // A linear congruential generator's low bits repeat quickly: its high bits pick.
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor((seed / 2 ** 31) * n));
    let now = T0;
    let hits = 0;
    for (let step = 0; step < 5000; step++) {
      const one = pool[random(pool.length)]!;
      const op = random(10);
      if (op < 4) {
        const key = keys[random(2)]!;
        put(cache, one, now, key);
        const until = Math.min(now + limits.ttlMs, payloadOf(one).exp * 1000);
        if (until > now) {
          model = model.filter((entry) => entry.token !== one);
          model.push({ token: one, key, until });
          let bytes = model.reduce((sum, entry) => sum + entry.token.length * 3, 0);
          while (model.length > limits.maxEntries || bytes > limits.maxBytes) bytes -= model.shift()!.token.length * 3;
        }
      } else if (op < 8) {
        const found = model.find((entry) => entry.token === one);
        const live = found !== undefined && now < found.until;
        model = model.filter((entry) => entry !== found);
        if (live) model.push(found), hits++;
        expect(cache.get(one, now) !== undefined, `step ${step}`).toBe(live);
      } else if (op < 9) now += random(600);
      else {
        const key = keys[random(2)]!;
        cache.dropKeys(new Set([key]));
        model = model.filter((entry) => entry.key !== key);
      }
      expect(cache.size, `step ${step}`).toBe(model.length);
    }
    // The run exercised the bounds: entries were served and the model did not simply empty.
    expect(hits).toBeGreaterThan(200);
    // Every entry the model still holds (live or not yet looked up) is the cache's, in the same order of eviction.
    expect(cache.byteSize).toBe(model.reduce((sum, entry) => sum + entry.token.length * 3, 0));
  });
});
