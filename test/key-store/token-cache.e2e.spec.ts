/**
 * The validated-token cache (ESP R38): a hit skips the parse and the signature but never the requirement, time and
 * audience checks; tokens over 4 KiB are not kept; the cache is bounded; a key leaving the set drops the tokens it
 * verified; `tokenCache: false` turns it off. The key stores keep time by a `ManualClock` the tests advance; token
 * expiry is judged by the system clock, which the expiry test waits out.
 */
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { EndpointsAuthCounters, type EndpointsAuthOptions } from '../../lib/index.js';
import { StrategyRegistry } from '../../lib/strategies/strategy-registry.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { claims, makeKey, nowSeconds, signJwt } from '../support/keys.js';
import { ManualClock, until } from '../support/manual-clock.js';
import { bootApp } from '../verification/verification-kit.js';

const alphaKey = makeKey('RS256', 'alpha-1');
const betaKey = makeKey('ES256', 'beta-1');
const ALPHA = 'https://alpha.example.com';
const BETA = 'https://beta.example.com';
const alphaToken = (extra: Record<string, unknown> = {}) =>
  signJwt(alphaKey, claims(ALPHA, 'alpha-audience', { jti: randomUUID(), ...extra }));

// Every test here runs at once on both adapters, each with its own app: on a loaded machine they share little CPU.
// The timeout is a safety net for that; what is counted or awaited depends on the ManualClock, not on speed.
vi.setConfig({ testTimeout: 120_000 });

describe.concurrent('the validated-token cache', () => {
  describe.each(ADAPTERS)('on %s', (adapter: AdapterName) => {
    const keyServer = new KeyServer();
    const apps: INestApplication[] = [];
    let next = 0;
    const started = keyServer.start();

    afterAll(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()));
      await keyServer.stop();
    });

    async function boot(options: Omit<EndpointsAuthOptions, 'spec'> = {}) {
      await started;
      const path = `/alpha-${next++}`;
      keyServer.jwks(path, [alphaKey.jwk]).jwks('/beta', [betaKey.jwk]);
      const clock = new ManualClock();
      const { app, url } = await bootApp(
        adapter,
        {
          alpha: { issuer: ALPHA, jwksUri: `${keyServer.url}${path}`, audiences: 'alpha-audience' },
          beta: { issuer: BETA, jwksUri: `${keyServer.url}/beta`, audiences: 'beta-audience' },
        },
        options,
        undefined,
        clock,
      );
      apps.push(app);
      const counters = app.get(EndpointsAuthCounters);
      const alphaKeys = app.get(StrategyRegistry).get('alpha').keys;
      /** Resolves once a refresh of `alpha` has replaced the keys it had when called. */
      const refreshed = () => {
        const before = alphaKeys.current();
        return () => until(() => alphaKeys.current() !== before, 'the refresh lands');
      };
      return { url, path, clock, refreshed, tokens: () => counters.tokens(), alpha: () => counters.keys('alpha') };
    }

    const get = async (url: string, token: string) => {
      const answer = await call(url, { headers: bearer(token) });
      return { status: answer.status, code: answer.body?.errorCode ?? null, body: answer.body };
    };

    it('serves a token seen before from the cache, with the same claims', async () => {
      const { url, tokens } = await boot();
      const token = alphaToken();
      const first = await get(`${url}/alpha`, token);
      expect({ ...tokens(), status: first.status }).toEqual({ hits: 0, misses: 1, status: 200 });
      const second = await get(`${url}/alpha`, token);
      expect({ ...tokens(), status: second.status }).toEqual({ hits: 1, misses: 1, status: 200 });
      expect(second.body.info).toEqual(first.body.info);
    });

    it('serves only the exact token: one ending as a cached token does (its signature reused) is verified in full and refused', async () => {
      const { url, tokens } = await boot();
      const token = alphaToken();
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      const [header, , signature] = token.split('.');
      const forged = `${header}.${alphaToken().split('.')[1]}.${signature}`;
      expect(await get(`${url}/alpha`, forged)).toMatchObject({ status: 401, code: 'INVALID_TOKEN' });
      // The forged token took nothing from the cache and put nothing in it: the real one is still a hit.
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      expect(tokens()).toEqual({ hits: 1, misses: 2 });
    });

    it('still checks the requirement on a hit: a cached alpha token is refused on a beta route', async () => {
      const { url, tokens } = await boot();
      const token = alphaToken();
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      expect(await get(`${url}/beta`, token)).toMatchObject({ status: 401, code: 'UNKNOWN_ISSUER' });
      expect(tokens().hits).toBe(1);
    });

    it('keeps a token no longer than its exp: an expiring token is refused once expired, not served from the cache', async () => {
      const { url } = await boot({ clockSkewSeconds: 0 });
      // Claims are judged by the system clock: the token lives 5 s (room for a slow first request), then is waited out.
      const exp = nowSeconds() + 5;
      const token = alphaToken({ exp });
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      await until(() => Date.now() >= (exp + 1) * 1000, 'the token expires');
      expect(await get(`${url}/alpha`, token)).toMatchObject({ status: 401, code: 'TOKEN_EXPIRED' });
    });

    it('does not keep tokens over 4 KiB', async () => {
      const { url, tokens } = await boot();
      const token = alphaToken({ padding: 'x'.repeat(4500) });
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      expect(tokens()).toEqual({ hits: 0, misses: 2 });
    });

    it('is bounded: with maxEntries 10, the oldest of 30 tokens was evicted', async () => {
      const { url, tokens } = await boot({ tokenCache: { maxEntries: 10 } });
      const sent = Array.from({ length: 30 }, () => alphaToken());
      for (const token of sent) expect((await get(`${url}/alpha`, token)).status).toBe(200);
      expect((await get(`${url}/alpha`, sent[0])).status).toBe(200);
      expect((await get(`${url}/alpha`, sent[29])).status).toBe(200);
      expect(tokens()).toEqual({ hits: 1, misses: 31 });
    });

    it('drops the tokens a key verified when a refresh removes that key', async () => {
      const { url, path, clock, refreshed, tokens } = await boot({ keyCache: { ttlSeconds: 1 } });
      const token = alphaToken();
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      expect(tokens().hits).toBe(1); // cached
      keyServer.jwks(path, [makeKey('RS256', 'alpha-2').jwk]);
      const landed = refreshed();
      clock.advance(800); // the background refresh runs in the TTL's last fifth
      await landed();
      expect(await get(`${url}/alpha`, token)).toMatchObject({ status: 401, code: 'KEY_NOT_FOUND' });
    });

    it('drops a cached token when its key leaves the set, even after refreshes that kept the key', async () => {
      const { url, path, clock, refreshed, tokens, alpha } = await boot({ keyCache: { ttlSeconds: 1 } });
      const token = alphaToken();
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      let landed = refreshed();
      clock.advance(800); // one refresh with the key unchanged
      await landed();
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      expect({ ...alpha(), hits: tokens().hits }).toMatchObject({ fetches: 2, failures: 0, hits: 1 });
      keyServer.jwks(path, [makeKey('RS256', 'alpha-2').jwk]);
      landed = refreshed();
      clock.advance(1000); // the refresh that removes it
      await landed();
      expect(await get(`${url}/alpha`, token)).toMatchObject({ status: 401, code: 'KEY_NOT_FOUND' });
    });

    it('refuses cached tokens once the grace period is over, like new ones', async () => {
      const { url, path, clock, alpha } = await boot({ keyCache: { ttlSeconds: 1, staleGraceSeconds: 1 } });
      const token = alphaToken();
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      keyServer.set(path, { status: 500, body: 'down' });
      clock.advance(1000); // the TTL is over and the refresh fails: the grace period begins
      await until(() => alpha().failures === 1, 'the refresh fails');
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      clock.advance(1000); // the grace period is over (the retry due now fails too)
      await until(() => alpha().failures === 2, 'the retry fails');
      expect(await get(`${url}/alpha`, token)).toMatchObject({ status: 401, code: 'KEYS_UNAVAILABLE' });
    });

    it('is off with tokenCache: false', async () => {
      const { url, tokens } = await boot({ tokenCache: false });
      const token = alphaToken();
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      expect(tokens()).toEqual({ hits: 0, misses: 0 });
    });

    it('hands out frozen claims, so no handler can change what another request sees', async () => {
      const { url } = await boot();
      const answer = await get(`${url}/alpha`, alphaToken({ roles: ['reader'] }));
      expect(answer.status).toBe(200);
      expect(answer.body.frozen).toBe(true);
    });
  });
});
