/**
 * The key store of one definition, over a real socket on Express and Fastify: single-flight fetches, the TTL, the
 * wait between failed fetches, stale keys while refreshes fail, and the fetch timeout.
 */
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { claims, makeKey, signJwt } from '../support/keys.js';
import { type Failure, bootApp, callWithin, expectClaims, expectFailure, sleep } from './verification-kit.js';

const ISSUER = 'https://keystore.example.com';
const AUDIENCE = 'keystore-audience';
const key = makeKey('RS256', 'store-1');
const KEYS_UNAVAILABLE: Failure = { code: 'KEYS_UNAVAILABLE', message: 'Jwks remote fetch is failed' };
/** The library waits this long after a failed fetch before it fetches again (ESPv2 retries every second). */
const RETRY_WAIT_MS = 1100;

/** A fresh token of the test issuer. */
const token = (jti = 'a') => signJwt(key, claims(ISSUER, AUDIENCE, { jti }));

// The tests wait on clocks, each with its own app and key path, so both adapters and all tests run concurrently.
describe.concurrent('the key store', () => {
  describe.each(ADAPTERS)('on %s', (adapter: AdapterName) => {
    const keyServer = new KeyServer();
    const apps: INestApplication[] = [];
    let next = 0;

    beforeAll(() => keyServer.start());
    afterAll(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()));
      await keyServer.stop();
    });

    /** A fresh app whose one definition `store` reads its keys from a path of its own; returns the route and path. */
    async function boot(jwksUri?: string, keyCache?: { ttlSeconds?: number; fetchTimeoutMs?: number }) {
      const path = `/store-${next++}`;
      const { app, url } = await bootApp(
        adapter,
        { store: { issuer: ISSUER, jwksUri: jwksUri ?? `${keyServer.url}${path}`, audiences: AUDIENCE } },
        keyCache ? { keyCache } : {},
      );
      apps.push(app);
      return { route: `${url}/store`, path };
    }

    const get = (route: string, sent = token()) => call(route, { headers: bearer(sent) });

    it('fetches the keys once for 100 concurrent requests on a cold app (single-flight)', async () => {
      const { route, path } = await boot();
      keyServer.set(path, { body: { keys: [key.jwk] }, delayMs: 150 });
      expect(keyServer.count(path)).toBe(0);
      const sent = Array.from({ length: 100 }, (_, index) => token(`concurrent-${index}`));
      const responses = await Promise.all(sent.map((one) => get(route, one)));
      expect(responses.map((response) => response.status)).toEqual(Array(100).fill(200));
      expect(keyServer.count(path)).toBe(1);
    });

    it('does not fetch again within the TTL', async () => {
      const { route, path } = await boot();
      keyServer.jwks(path, [key.jwk]);
      for (let index = 0; index < 5; index++) expect((await get(route, token(`ttl-${index}`))).status).toBe(200);
      expect(keyServer.count(path)).toBe(1);
    });

    it('waits about a second after a failed fetch, then verifies again once the key server recovers', async () => {
      const { route, path } = await boot();
      keyServer.set(path, { status: 500, body: { error: 'down' } });
      expectFailure(await get(route), route, KEYS_UNAVAILABLE);
      expect(keyServer.count(path)).toBe(1);
      // Within the wait the answer is the same, without another fetch.
      keyServer.jwks(path, [key.jwk]);
      expectFailure(await get(route), route, KEYS_UNAVAILABLE);
      expect(keyServer.count(path)).toBe(1);
      await sleep(RETRY_WAIT_MS);
      const payload = claims(ISSUER, AUDIENCE, { jti: 'recovered' });
      expectClaims(await get(route, signJwt(key, payload)), payload);
      expect(keyServer.count(path)).toBe(2);
    });

    it('fetches again after the TTL, and keeps the old keys while that refresh fails', async () => {
      const { route, path } = await boot(undefined, { ttlSeconds: 1 });
      keyServer.jwks(path, [key.jwk]);
      expect((await get(route)).status).toBe(200);
      expect(keyServer.count(path)).toBe(1);
      await sleep(1100);
      keyServer.set(path, { status: 503, body: 'maintenance' });
      const payload = claims(ISSUER, AUDIENCE, { jti: 'stale' });
      expectClaims(await get(route, signJwt(key, payload)), payload);
      expect(keyServer.count(path)).toBe(2);
    });

    it('keeps the old keys when a refresh brings a set with no usable key', async () => {
      const { route, path } = await boot(undefined, { ttlSeconds: 1 });
      keyServer.jwks(path, [key.jwk]);
      expect((await get(route)).status).toBe(200);
      await sleep(1100);
      keyServer.jwks(path, [{ kty: 'bogus', kid: 'x' }]);
      const payload = claims(ISSUER, AUDIENCE, { jti: 'kept' });
      expectClaims(await get(route, signJwt(key, payload)), payload);
      expect(keyServer.count(path)).toBe(2);
    });

    it('skips a JWK whose kid is not a string instead of letting it match every kid (a set of none is a failed fetch)', async () => {
      const { route, path } = await boot();
      keyServer.jwks(path, [{ ...key.jwk, kid: 123 }]);
      expect((await get(route)).status).toBe(401);
      expect((await get(route)).body.errorCode).toBe('KEYS_UNAVAILABLE');
    });

    it('skips an RSA key whose public exponent is not 3 or 65537, as jwt_verify_lib does', async () => {
      const { generateKeyPairSync } = await import('node:crypto');
      const odd = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 17 });
      const oddKey = { kid: 'odd-1', alg: 'RS256' as const, privateKey: odd.privateKey, jwk: { ...odd.publicKey.export({ format: 'jwk' }), kid: 'odd-1' } };
      const { route, path } = await boot();
      keyServer.jwks(path, [oddKey.jwk]);
      const answer = await get(route, signJwt(oddKey, claims(ISSUER, AUDIENCE)));
      expect({ status: answer.status, code: answer.body.errorCode }).toEqual({ status: 401, code: 'KEYS_UNAVAILABLE' });
    });

    it('answers "Jwks remote fetch is failed" when the key server does not answer within fetchTimeoutMs', async () => {
      const { route, path } = await boot(undefined, { fetchTimeoutMs: 200 });
      keyServer.set(path, { body: { keys: [key.jwk] }, delayMs: 1500 });
      const started = Date.now();
      expectFailure(await callWithin(route, token(), 1400), route, KEYS_UNAVAILABLE);
      expect(Date.now() - started).toBeLessThan(1000);
    });
  });
});
