/**
 * The per-audience token cache behind every token source (lib/client/token-cache.ts), on a controlled clock: a
 * failing token server is not hammered, a token is never handed out in its last seconds, an already expired answer
 * is an error, and the number of audiences kept is bounded.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { type ExpiringToken, TokenCache } from '../../lib/client/token-cache.js';

const START = 1_800_000_000_000;
const HOUR = 3_600_000;

describe('TokenCache', () => {
  let now = START;
  let calls = 0;
  let answer: () => Promise<ExpiringToken>;
  const fetchToken = () => {
    calls++;
    return answer();
  };
  const issue = (life = HOUR) => () => Promise.resolve({ token: `token-${calls}`, expiresAt: now + life });
  const down = () => Promise.reject(new Error('token server down'));

  beforeEach(() => {
    now = START;
    calls = 0;
    vi.spyOn(Date, 'now').mockImplementation(() => now);
  });
  afterEach(() => vi.restoreAllMocks());

  it('after a failed background refresh waits (1 s, doubling) instead of retrying on every call', async () => {
    const cache = new TokenCache(fetchToken, 300_000);
    answer = issue();
    expect(await cache.get('aud')).toBe('token-1');
    now += HOUR - 200_000; // in the refresh window
    answer = down;
    for (let i = 0; i < 500; i++) expect(await cache.get('aud')).toBe('token-1');
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(2); // the first fetch and one failed refresh
    now += 1_000;
    for (let i = 0; i < 500; i++) await cache.get('aud');
    await new Promise((resolve) => setImmediate(resolve));
    expect(calls).toBe(3); // one more after the first wait; the next wait is 2 s
    now += 1_500;
    await cache.get('aud');
    expect(calls).toBe(3);
  });

  it('never hands out a token in its last 10 s: the caller waits for a new one, or gets the failure', async () => {
    const cache = new TokenCache(fetchToken, 300_000);
    answer = issue();
    await cache.get('aud');
    now += HOUR - 5_000;
    answer = down;
    await expect(cache.get('aud')).rejects.toThrow('token server down');
    answer = issue();
    expect(await cache.get('aud')).toBe('token-3');
  });

  it('refuses a token that had already expired when it arrived, naming the clock', async () => {
    const cache = new TokenCache(fetchToken, 300_000);
    answer = () => Promise.resolve({ token: 'old', expiresAt: now - 1 });
    await expect(cache.get('aud')).rejects.toThrow("had already expired when it arrived: is this machine's clock right?");
  });

  it('keeps at most 1000 audiences, dropping the least recently used', async () => {
    const cache = new TokenCache(fetchToken, 300_000);
    answer = issue();
    for (let i = 0; i < 1500; i++) await cache.get(`aud-${i}`);
    expect(calls).toBe(1500);
    await cache.get('aud-1499');
    expect(calls).toBe(1500);
    await cache.get('aud-0');
    expect(calls).toBe(1501);
  });
});
