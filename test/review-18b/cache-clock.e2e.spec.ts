/**
 * The cache's time is now the wall clock the claims are judged by (`Date.now()`, handed in), not lru-cache's
 * monotonic one. A differential over a scripted wall clock (`vi.setSystemTime`, only `Date` faked: sockets and the
 * key stores' `ManualClock` keep their own time): at every step an app with the cache answers exactly what an app
 * without it answers. The clock moves backwards (before `nbf`/`iat`), to the TTL's and `exp`'s edges, past the skew,
 * a day on and back. Each request is counted once, as a hit or a miss.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADAPTERS, type AdapterName } from '../support/app.js';
import type { KeyServer } from '../support/key-server.js';
import { ManualClock } from '../support/manual-clock.js';
import { type RawAnswer, type ReviewApp, alphaToken, bootAlpha, keyServer, rawGet } from './review-kit.js';

const T0 = 1_900_000_000_000;
const TTL_MS = 300_000;
const EXP = T0 / 1000 + 600;
const SKEW_MS = 60_000;

describe.each(ADAPTERS)('the validated-token cache under a moving wall clock on %s', (adapter: AdapterName) => {
  let server: KeyServer;
  let cached: ReviewApp;
  let uncached: ReviewApp;

  beforeAll(async () => {
    server = await keyServer();
    cached = await bootAlpha(server, adapter, { tokenCache: { ttlSeconds: TTL_MS / 1000 } }, new ManualClock());
    uncached = await bootAlpha(server, adapter, { tokenCache: false }, new ManualClock());
    vi.useFakeTimers({ toFake: ['Date'] });
  });

  afterAll(async () => {
    vi.useRealTimers();
    await Promise.all([cached.app.close(), uncached.app.close()]);
    await server.stop();
  });

  /** Both apps' answers to `token` at wall time `at`. */
  async function both(token: string, at: number): Promise<{ cached: RawAnswer; uncached: RawAnswer }> {
    vi.setSystemTime(at);
    const line = [`Authorization: Bearer ${token}`];
    return { cached: await rawGet(cached.url, '/alpha', line), uncached: await rawGet(uncached.url, '/alpha', line) };
  }

  it('answers as a fresh verification at every step, hits included, each request counted once', async () => {
    vi.setSystemTime(T0);
    const token = alphaToken({ sub: 'clock-user', iat: T0 / 1000, nbf: T0 / 1000, exp: EXP });
    const before = cached.tokens();
    const steps: [string, number, number, string | null][] = [
      ['first sight', T0, 200, null],
      ['a hit', T0 + 1, 200, null],
      ['an hour back: before nbf and iat', T0 - 3_600_000, 401, 'TOKEN_NOT_YET_VALID'],
      ['back to within the skew before nbf', T0 - SKEW_MS, 200, null],
      ['just before the TTL ends', T0 + TTL_MS - 1, 200, null],
      ['the TTL over', T0 + TTL_MS, 200, null],
      ['a millisecond before exp', EXP * 1000 - 1, 200, null],
      ['exactly at exp', EXP * 1000, 200, null],
      ['within the skew after exp', EXP * 1000 + SKEW_MS, 200, null],
      ['past the skew', EXP * 1000 + SKEW_MS + 1000, 401, 'TOKEN_EXPIRED'],
      ['a day on', T0 + 86_400_000, 401, 'TOKEN_EXPIRED'],
      ['back to the start', T0 + 10, 200, null],
      ['a hit again', T0 + 11, 200, null],
    ];
    for (const [what, at, status, code] of steps) {
      const answers = await both(token, at);
      const expected = { status, code, sub: status === 200 ? 'clock-user' : null };
      expect(answers, what).toEqual({ cached: expected, uncached: expected });
    }
    const after = cached.tokens();
    // One count per request; the script reached the cache both ways (served and re-verified).
    expect(after.hits - before.hits + after.misses - before.misses).toBe(steps.length);
    expect(after.hits - before.hits).toBeGreaterThanOrEqual(4);
    expect(after.misses - before.misses).toBeGreaterThanOrEqual(4);
  });

  it('serves an entry set before the clock went back only as long as its claims pass now', async () => {
    vi.setSystemTime(T0);
    const token = alphaToken({ sub: 'clock-user', iat: T0 / 1000, exp: EXP });
    expect((await both(token, T0)).cached.status).toBe(200);
    // Ten minutes back: the entry (until T0 + TTL by the wall clock) now outlives the TTL in real time, but a hit
    // still re-judges iat and exp, so it answers what a fresh verification answers.
    const back = await both(token, T0 - 600_000);
    expect(back).toEqual({ cached: back.uncached, uncached: { status: 401, code: 'TOKEN_NOT_YET_VALID', sub: null } });
  });
});
