/**
 * The validated-token cache (ESP R38): a hit skips the parse and the signature but never the requirement, time and
 * audience checks; tokens over 4 KiB are not kept; the cache is bounded; a key leaving the set drops the tokens it
 * verified; `tokenCache: false` turns it off.
 */
import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { afterAll, describe, expect, it } from 'vitest';
import { EndpointsAuthCounters, type EndpointsAuthOptions } from '../../lib/index.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { claims, makeKey, signJwt } from '../support/keys.js';
import { bootApp, sleep } from '../verification/verification-kit.js';

const alphaKey = makeKey('RS256', 'alpha-1');
const betaKey = makeKey('ES256', 'beta-1');
const ALPHA = 'https://alpha.example.com';
const BETA = 'https://beta.example.com';
const alphaToken = (extra: Record<string, unknown> = {}) =>
  signJwt(alphaKey, claims(ALPHA, 'alpha-audience', { jti: randomUUID(), ...extra }));

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
      const { app, url } = await bootApp(
        adapter,
        {
          alpha: { issuer: ALPHA, jwksUri: `${keyServer.url}${path}`, audiences: 'alpha-audience' },
          beta: { issuer: BETA, jwksUri: `${keyServer.url}/beta`, audiences: 'beta-audience' },
        },
        options,
      );
      apps.push(app);
      const counters = app.get(EndpointsAuthCounters);
      return { url, path, tokens: () => counters.tokens() };
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

    it('still checks the requirement on a hit: a cached alpha token is refused on a beta route', async () => {
      const { url, tokens } = await boot();
      const token = alphaToken();
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      expect(await get(`${url}/beta`, token)).toMatchObject({ status: 401, code: 'UNKNOWN_ISSUER' });
      expect(tokens().hits).toBe(1);
    });

    it('keeps a token no longer than its exp: an expiring token is refused once expired, not served from the cache', async () => {
      const { url } = await boot({ clockSkewSeconds: 0 });
      const token = alphaToken({ exp: Math.floor(Date.now() / 1000) + 2 });
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      await sleep(3100);
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
      const { url, path } = await boot({ keyCache: { ttlSeconds: 1 } });
      const token = alphaToken();
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      keyServer.jwks(path, [makeKey('RS256', 'alpha-2').jwk]);
      await sleep(900); // the background refresh runs in the TTL's last fifth
      await get(`${url}/alpha`, alphaToken());
      await sleep(300);
      expect(await get(`${url}/alpha`, token)).toMatchObject({ status: 401, code: 'KEY_NOT_FOUND' });
    });

    it('drops a cached token when its key leaves the set, even after refreshes that kept the key', async () => {
      const { url, path } = await boot({ keyCache: { ttlSeconds: 1 } });
      const token = alphaToken();
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      await sleep(1300); // one refresh with the key unchanged
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      keyServer.jwks(path, [makeKey('RS256', 'alpha-2').jwk]);
      await sleep(1300); // the refresh that removes it
      expect(await get(`${url}/alpha`, token)).toMatchObject({ status: 401, code: 'KEY_NOT_FOUND' });
    });

    it('refuses cached tokens once the grace period is over, like new ones', async () => {
      const { url, path } = await boot({ keyCache: { ttlSeconds: 1, staleGraceSeconds: 1 } });
      const token = alphaToken();
      expect((await get(`${url}/alpha`, token)).status).toBe(200);
      keyServer.set(path, { status: 500, body: 'down' });
      await sleep(2300);
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
