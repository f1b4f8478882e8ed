/**
 * The key store under a counting key server on 127.0.0.1 with controllable latency and failures (issue "Keys"):
 * single-flight fetches, the TTL, the wait after a failed fetch, the fetch timeout, skipped keys, unknown-kid floods,
 * a key server that fails after the cache expired, the grace period, rotation, background
 * refresh, and the counters service. Each app keeps key-store time by a `ManualClock`: a TTL, cooldown, backoff or grace
 * period ends when the test advances it, so what is counted does not depend on how fast the machine is.
 */
import { randomUUID } from 'node:crypto';
import { type INestApplication, Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EndpointsAuthCounters, type EndpointsAuthOptions } from '../../lib/index.js';
import { StrategyRegistry } from '../../lib/strategies/strategy-registry.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { KeyServer, type Route } from '../support/key-server.js';
import { claims, makeKey, signJwt, type TestKey } from '../support/keys.js';
import { ManualClock, until } from '../support/manual-clock.js';
import { type Failure, bootApp, callWithin, expectClaims, expectFailure } from '../verification/verification-kit.js';

const KEYS_UNAVAILABLE: Failure = { code: 'KEYS_UNAVAILABLE', message: 'Jwks remote fetch is failed' };

const ISSUER = 'https://store.example.com';
const AUDIENCE = 'store-audience';
const key = makeKey('RS256', 'store-1');
const token = (signer: TestKey = key, header: Record<string, unknown> = {}) =>
  signJwt(signer, claims(ISSUER, AUDIENCE, { jti: randomUUID() }), header);

// Every test here runs at once on both adapters, each with its own app: on a loaded machine they share little CPU.
// The timeout is a safety net for that; what is counted or awaited depends on the ManualClock, not on speed.
vi.setConfig({ testTimeout: 120_000 });

/** The key stores' warnings, from one spy for the whole file: two spies on one method would replace each other. */
const keyWarnings: string[] = [];
let warnSpy: ReturnType<typeof vi.spyOn> | undefined;
beforeAll(() => {
  warnSpy = vi.spyOn(Logger.prototype, 'warn').mockImplementation(function (this: Logger, message: unknown) {
    if ((this as unknown as { context?: string }).context === 'EndpointsAuthKeys') keyWarnings.push(String(message));
  });
});
afterAll(() => warnSpy?.mockRestore());

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

    /**
     * A fresh app with one definition `store`, reading keys from a path of its own that serves `key`, or `first`:
     * the app fetches at start-up, so what the key server answers first is set before it boots. Its key store keeps
     * time by `clock`; `keys()` is what the store would verify with now without a fetch.
     */
    async function boot(keyCache: EndpointsAuthOptions['keyCache'] = {}, first: Route = { body: { keys: [key.jwk] } }) {
      const path = `/keys-${next++}`;
      keyServer.set(path, first);
      const clock = new ManualClock();
      const { app, url } = await bootApp(
        adapter,
        { store: { issuer: ISSUER, jwksUri: `${keyServer.url}${path}`, audiences: AUDIENCE } },
        { keyCache },
        undefined,
        clock,
      );
      apps.push(app);
      const counters = app.get(EndpointsAuthCounters);
      const store = app.get(StrategyRegistry).get('store').keys;
      return { path, route: `${url}/store`, clock, counts: () => counters.keys('store'), keys: () => store.current() };
    }

    const get = (route: string, sent = token()) => call(route, { headers: bearer(sent) });

    it('answers 200 tokens with random unknown kids KEY_NOT_FOUND with at most one refetch per cooldown', async () => {
      const { path, route, counts } = await boot({ unknownKidCooldownSeconds: 30 });
      expect((await get(route)).status).toBe(200);
      const forged = Array.from({ length: 200 }, () => token(key, { kid: randomUUID() }));
      const answers = await Promise.all(forged.map((sent) => get(route, sent)));
      expect(new Set(answers.map((answer) => `${answer.status} ${answer.body.errorCode}`))).toEqual(new Set(['401 KEY_NOT_FOUND']));
      // The cooldown counts from the last fetch of any kind: the cold fetch just happened, so none of 200 refetches.
      expect(keyServer.count(path)).toBe(1);
      expect(counts()).toMatchObject({ fetches: 1, unknownKidRefetches: 0, failures: 0 });
    });

    it('refetches at most once per cooldown for a flood of unknown kids once the cooldown has passed', async () => {
      const { path, route, clock, counts } = await boot({ unknownKidCooldownSeconds: 1 });
      expect((await get(route)).status).toBe(200);
      const flood = async (size = 50) => {
        const forged = Array.from({ length: size }, () => token(key, { kid: randomUUID() }));
        const answers = await Promise.all(forged.map((sent) => get(route, sent)));
        expect(new Set(answers.map((answer) => answer.body.errorCode))).toEqual(new Set(['KEY_NOT_FOUND']));
      };
      clock.advance(1000);
      await flood(200);
      expect(keyServer.count(path)).toBe(2);
      expect(counts()).toMatchObject({ fetches: 2, unknownKidRefetches: 1 });
      // Just short of the next cooldown: another flood fetches nothing; at the cooldown, one more fetch.
      clock.advance(999);
      await flood();
      expect(counts()).toMatchObject({ fetches: 2, unknownKidRefetches: 1 });
      clock.advance(1);
      await flood();
      expect(keyServer.count(path)).toBe(3);
      expect(counts()).toMatchObject({ fetches: 3, unknownKidRefetches: 2 });
    });

    it('accepts a key rotated in after one refetch, before the TTL ends; a removed key is refused after the refresh', async () => {
      const { path, route, clock, counts } = await boot({ unknownKidCooldownSeconds: 1, ttlSeconds: 2 });
      expect((await get(route)).status).toBe(200);
      clock.advance(1000); // past the cooldown, within the TTL and before the background refresh (at 1.6 s)
      const rotated = makeKey('ES256', 'store-2');
      keyServer.jwks(path, [rotated.jwk]);
      expect((await get(route, token(rotated))).status).toBe(200);
      expect(counts()).toMatchObject({ fetches: 2, unknownKidRefetches: 1 });
      // store-1 left the set with that refetch: it is no longer served.
      const removed = await get(route, token(key));
      expect({ status: removed.status, code: removed.body.errorCode }).toEqual({ status: 401, code: 'KEY_NOT_FOUND' });
    });

    it.each([
      ['answers 500', { status: 500, body: 'down' }],
      ['answers HTML', { body: '<html>sign in</html>', contentType: 'text/html' }],
      ['sends 2 MiB', { body: { keys: [{ kty: 'RSA', x: 'x'.repeat(2 * 1024 * 1024) }] } }],
      ['hangs', { body: { keys: [] }, delayMs: 60_000 }],
    ])('keeps verifying with the cached keys, without waiting, when the key server %s after the TTL; then recovers', async (what, failure) => {
      const { path, route, clock, counts, keys } = await boot({ ttlSeconds: 1, fetchTimeoutMs: 30_000, staleGraceSeconds: 60 });
      expect((await get(route)).status).toBe(200);
      keyServer.set(path, failure);
      clock.advance(1000); // the TTL is over; the background refresh (due at 0.8 s) has started
      await until(() => keyServer.count(path) === 2, 'the refresh reaches the key server');
      expect((await get(route)).status).toBe(200);
      // A hung key server answers after 60 s, and the fetch gives up after 30 s: a request that had waited for the
      // fetch would only have answered after that failure was counted.
      if (what === 'hangs') expect(counts().failures).toBe(0);
      for (let i = 0; i < 2; i++) expect((await get(route)).status).toBe(200);
      await until(() => counts().failures === 1, 'the refresh fails');
      expect((await get(route)).status).toBe(200);
      expect(counts()).toMatchObject({ fetches: 2, failures: 1 });
      keyServer.jwks(path, [key.jwk]);
      const stale = keys();
      clock.advance(1000); // the first retry after a failure is due a second later, and succeeds
      await until(() => keys() !== stale || counts().failures > 1, 'the retry lands');
      expect((await get(route)).status).toBe(200);
      expect(counts()).toMatchObject({ fetches: 3, failures: 1 });
    });

    it('refuses with KEYS_UNAVAILABLE once the grace period is over and the key server still fails', async () => {
      const { path, route, clock, counts } = await boot({ ttlSeconds: 1, staleGraceSeconds: 1 });
      expect((await get(route)).status).toBe(200);
      keyServer.set(path, { status: 503, body: 'maintenance' });
      clock.advance(1000); // the TTL is over; the background refresh fails and the grace period begins
      await until(() => counts().failures === 1, 'the refresh fails');
      expect((await get(route)).status).toBe(200);
      clock.advance(1000); // the grace period is over (the retry due now fails too)
      await until(() => counts().failures === 2, 'the retry fails');
      const answer = await get(route);
      expect({ status: answer.status, code: answer.body.errorCode }).toEqual({ status: 401, code: 'KEYS_UNAVAILABLE' });
    });

    it('with keyCache.eager, fetches the keys before the app starts, and refuses to start when they cannot be had', async () => {
      const { path, counts } = await boot({ eager: true });
      expect(keyServer.count(path)).toBe(1);
      expect(counts().fetches).toBe(1);
      const failing = `/eager-fails-${next++}`;
      keyServer.set(failing, { status: 500, body: 'down' });
      const start = bootApp(
        adapter,
        { store: { issuer: ISSUER, jwksUri: `${keyServer.url}${failing}`, audiences: AUDIENCE } },
        { keyCache: { eager: true } },
      );
      await expect(start).rejects.toThrow('nestjs-endpoints-auth: keyCache.eager: the keys of "store"');
    });

    it('without keyCache.eager, fetches the keys at start-up in the background: the first request waits for no fetch', async () => {
      const { route, counts, keys } = await boot();
      await until(() => keys() !== undefined, 'the start-up fetch lands');
      expect((await get(route)).status).toBe(200);
      expect(counts()).toMatchObject({ fetches: 1, failures: 0 });
    });

    it('without keyCache.eager, starts while the key server is down with one warning that names the definition', async () => {
      // The adapters' copies of this test run at the same time (describe.concurrent): each reads the one shared spy's
      // lines for a definition named after its adapter, rather than spying on Logger itself.
      const name = `down_${adapter}`;
      const path = `/down-${next++}`;
      keyServer.set(path, { status: 503, body: 'down' });
      const { app, url } = await bootApp(adapter, { [name]: { issuer: ISSUER, jwksUri: `${keyServer.url}${path}`, audiences: AUDIENCE } });
      apps.push(app);
      const mine = () => keyWarnings.filter((line) => line.startsWith(`keys of "${name}"`));
      await until(() => mine().length > 0, 'the warning');
      expect(mine()).toEqual([
        `keys of "${name}" could not be fetched: HTTP 503; requests get 401 until keys arrive; the first request after 1000 ms tries again`,
      ]);
      expect((await get(`${url}/${name}`)).body.errorCode).toBe('KEYS_UNAVAILABLE');
    });

    it('without keyCache.eager, starts while the key server is down, and verifies once it answers', async () => {
      const { path, route, clock, counts } = await boot({}, { status: 503, body: 'down' });
      await until(() => counts().failures === 1, 'the start-up fetch fails');
      keyServer.jwks(path, [key.jwk]);
      // Within the second after the failure no request fetches again, even with the key server back.
      clock.advance(999);
      expect((await get(route)).body.errorCode).toBe('KEYS_UNAVAILABLE');
      expect(keyServer.count(path)).toBe(1);
      clock.advance(1);
      expect((await get(route)).status).toBe(200);
      expect(counts()).toMatchObject({ fetches: 2, failures: 1 });
    });

    it('keeps refreshing while no request comes, so a key removed during a quiet spell is refused at once', async () => {
      const { path, route, clock, keys } = await boot({ ttlSeconds: 1 });
      expect((await get(route)).status).toBe(200);
      keyServer.jwks(path, [makeKey('RS256', 'store-9').jwk]);
      const before = keys();
      clock.advance(800); // idle: only the refresh timer runs, in the TTL's last fifth
      await until(() => keys() !== before, 'the background refresh lands');
      expect(keys()!.map((record) => record.kid)).toEqual(['store-9']);
      const burst = await Promise.all(Array.from({ length: 5 }, () => get(route)));
      expect(burst.map((answer) => answer.body.errorCode)).toEqual(Array(5).fill('KEY_NOT_FOUND'));
    });

    it('refreshes in the background before the TTL ends, so a slow key server never delays a request', async () => {
      const { path, route, clock, counts, keys } = await boot({ ttlSeconds: 1, fetchTimeoutMs: 60_000 });
      expect((await get(route)).status).toBe(200);
      keyServer.set(path, { body: { keys: [key.jwk] }, delayMs: 30_000 });
      const before = keys();
      clock.advance(850); // the timer has started the refresh; the key server takes 30 s to answer it
      expect(counts().fetches).toBe(2);
      await until(() => keyServer.count(path) === 2, 'the refresh reaches the key server');
      expect((await get(route)).status).toBe(200);
      // The refresh has not landed: the request was answered without waiting for it.
      expect(keys()).toBe(before);
    });

    it('fetches the keys once for 100 concurrent requests on a cold app (single-flight)', async () => {
      // The start-up fetch takes 2 s (within the default fetch timeout): the 100 requests arrive while the store has no
      // keys yet.
      const { route, path, counts, keys } = await boot({}, { body: { keys: [key.jwk] }, delayMs: 2000 });
      expect(counts().fetches).toBe(1);
      const sent = Array.from({ length: 100 }, () => token());
      const answering = Promise.all(sent.map((one) => get(route, one)));
      expect(keys()).toBeUndefined();
      const responses = await answering;
      expect(responses.map((response) => response.status)).toEqual(Array(100).fill(200));
      expect(keyServer.count(path)).toBe(1);
    });

    it('does not fetch again within the TTL', async () => {
      const { route, path } = await boot();
      for (let i = 0; i < 5; i++) expect((await get(route, token())).status).toBe(200);
      expect(keyServer.count(path)).toBe(1);
    });

    it('waits about a second after a failed fetch, then verifies again once the key server recovers', async () => {
      const { route, path, clock } = await boot({}, { status: 500, body: { error: 'down' } });
      expectFailure(await get(route), route, KEYS_UNAVAILABLE);
      expect(keyServer.count(path)).toBe(1);
      // Within the wait the answer is the same, without another fetch.
      keyServer.jwks(path, [key.jwk]);
      expectFailure(await get(route), route, KEYS_UNAVAILABLE);
      expect(keyServer.count(path)).toBe(1);
      clock.advance(1000); // the first retry waits a second, as ESPv2
      const payload = claims(ISSUER, AUDIENCE, { jti: 'recovered' });
      expectClaims(await get(route, signJwt(key, payload)), payload);
      expect(keyServer.count(path)).toBe(2);
    });

    it('fetches again after the TTL, and keeps the old keys while that refresh fails', async () => {
      const { route, path, clock, counts } = await boot({ ttlSeconds: 1 });
      expect((await get(route)).status).toBe(200);
      expect(keyServer.count(path)).toBe(1);
      keyServer.set(path, { status: 503, body: 'maintenance' });
      clock.advance(1100); // past the TTL: the background refresh fails
      await until(() => counts().failures === 1, 'the refresh fails');
      const payload = claims(ISSUER, AUDIENCE, { jti: 'stale' });
      expectClaims(await get(route, signJwt(key, payload)), payload);
      expect(keyServer.count(path)).toBe(2);
    });

    it('keeps the old keys when a refresh brings a set with no usable key', async () => {
      const { route, path, clock, counts } = await boot({ ttlSeconds: 1 });
      expect((await get(route)).status).toBe(200);
      keyServer.jwks(path, [{ kty: 'bogus', kid: 'x' }]);
      clock.advance(1100); // past the TTL: the background refresh brings no usable key
      await until(() => counts().failures === 1, 'the refresh fails');
      const payload = claims(ISSUER, AUDIENCE, { jti: 'kept' });
      expectClaims(await get(route, signJwt(key, payload)), payload);
      expect(keyServer.count(path)).toBe(2);
    });

    it('skips a JWK whose kid is not a string instead of letting it match every kid (a set of none is a failed fetch)', async () => {
      const { route } = await boot({}, { body: { keys: [{ ...key.jwk, kid: 123 }] } });
      expect((await get(route)).status).toBe(401);
      expect((await get(route)).body.errorCode).toBe('KEYS_UNAVAILABLE');
    });

    it('skips an RSA key whose public exponent is not 3 or 65537, as jwt_verify_lib does', async () => {
      const { generateKeyPairSync } = await import('node:crypto');
      const odd = generateKeyPairSync('rsa', { modulusLength: 2048, publicExponent: 17 });
      const oddKey = { kid: 'odd-1', alg: 'RS256' as const, privateKey: odd.privateKey, jwk: { ...odd.publicKey.export({ format: 'jwk' }), kid: 'odd-1' } };
      const { route } = await boot({}, { body: { keys: [oddKey.jwk] } });
      const answer = await get(route, signJwt(oddKey, claims(ISSUER, AUDIENCE)));
      expect({ status: answer.status, code: answer.body.errorCode }).toEqual({ status: 401, code: 'KEYS_UNAVAILABLE' });
    });

    it('answers "Jwks remote fetch is failed" when the key server does not answer within fetchTimeoutMs', async () => {
      // The key server would answer after 60 s with a good set; only the fetch timeout can refuse the token, and the
      // answer must come long before the key server's.
      const { route, counts } = await boot({ fetchTimeoutMs: 200 }, { body: { keys: [key.jwk] }, delayMs: 60_000 });
      expectFailure(await callWithin(route, token(), 45_000), route, KEYS_UNAVAILABLE);
      expect(counts()).toMatchObject({ fetches: 1, failures: 1 });
    });
  });
});
