/**
 * The Firebase profile's `checkRevoked` on both adapters: asked after the signature and claims pass, its verdict kept
 * per (tenant, `sub`, `iat`, `auth_time`) for `revocationCacheSeconds` on the injected clock, asked again on
 * validated-token cache hits once that runs out; `true` refuses (TOKEN_REVOKED), a throw or a non-boolean refuses as unverifiable
 * (REVOCATION_UNAVAILABLE) and is asked again next time, without the claims reaching the log.
 */
import { type INestApplication, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthCounters, EndpointsAuthModule, type FirebaseProfileOptions, type JwtClaims } from '../../lib/index.js';
import { CapturingLogger } from '../api-config/spec-kit.js';
import { ADAPTERS, Apps, bearer, call, startAppWith } from '../support/app.js';
import { nowSeconds } from '../support/keys.js';
import { ManualClock, until } from '../support/manual-clock.js';
import { ClaimsController, type FirebaseKeys, PROJECT, firebaseSpec, firebaseToken, startFirebaseKeys } from './firebase-kit.js';

/** A `checkRevoked` that records what it is asked and answers what `answer` says (by default: not revoked). */
function recorder() {
  const asked: JwtClaims[] = [];
  const state = { answer: (_claims: JwtClaims): unknown => false };
  const checkRevoked = (claims: JwtClaims) => {
    asked.push(claims);
    return state.answer(claims) as boolean | Promise<boolean>;
  };
  return { asked, state, checkRevoked, count: (sub: string) => asked.filter((claims) => claims.sub === sub).length };
}

const REVOKED = { status: 401, errorCode: 'TOKEN_REVOKED', message: 'Jwt has been revoked' };
const UNAVAILABLE = { status: 401, errorCode: 'REVOCATION_UNAVAILABLE', message: 'Jwt revocation check is failed' };

describe.each(ADAPTERS)('checkRevoked on %s', (adapter) => {
  const apps = new Apps();
  const logger = new CapturingLogger();
  let keys: FirebaseKeys;
  let clock: ManualClock;
  let app: INestApplication;
  let url: string;
  let boundedUrl: string;
  let uncachedUrl: string;
  const main = recorder();
  const bounded = recorder();
  const uncached = recorder();

  const boot = async (firebase: FirebaseProfileOptions, keyClock: ManualClock) => {
    @Module({
      imports: [EndpointsAuthModule.forRoot({ spec: firebaseSpec(keys), definitions: { firebase: { firebase } } })],
      controllers: [ClaimsController],
    })
    class AppModule {}
    return apps.track(await startAppWith(AppModule, adapter, { keyClock, configure: (started) => started.useLogger(logger) }));
  };

  beforeAll(async () => {
    keys = await startFirebaseKeys();
    clock = new ManualClock();
    ({ app, url } = await boot({ checkRevoked: main.checkRevoked }, clock));
    ({ url: boundedUrl } = await boot({ checkRevoked: bounded.checkRevoked, revocationCacheMaxEntries: 1 }, new ManualClock()));
    ({ url: uncachedUrl } = await boot({ checkRevoked: uncached.checkRevoked, revocationCacheSeconds: 0 }, new ManualClock()));
  });
  afterAll(async () => {
    await apps.closeAll();
    await keys?.server.stop();
  });

  const get = async (token: string, base = url) => {
    const response = await call(`${base}/me`, { headers: bearer(token) });
    return { status: response.status, errorCode: response.body.errorCode, message: response.body.message, body: response.body };
  };
  const refusal = async (token: string) => {
    const { status, errorCode, message } = await get(token);
    return { status, errorCode, message };
  };

  it('asks once per (sub, iat, auth_time) while the verdict is fresh: later requests and other tokens of that sign-in are not asked', async () => {
    const counters = app.get(EndpointsAuthCounters);
    const before = counters.tokens();
    const iat = nowSeconds() - 30;
    // One sign-in: the same auth_time in every token (the verdict is kept per tenant, sub, iat and auth_time).
    const auth_time = iat - 600;
    const token = firebaseToken(keys, { sub: 'u-once', iat, auth_time });
    for (let round = 0; round < 3; round++) expect((await get(token)).status).toBe(200);
    expect(main.count('u-once')).toBe(1);
    expect(counters.tokens().hits - before.hits).toBe(2);
    // Another token of the same sign-in (same sub and iat): the same verdict.
    expect((await get(firebaseToken(keys, { sub: 'u-once', iat, auth_time, email: 'b@example.com' }))).status).toBe(200);
    expect(main.count('u-once')).toBe(1);
    // A new iat (a refreshed token) is asked about.
    expect((await get(firebaseToken(keys, { sub: 'u-once', iat: iat - 1, auth_time }))).status).toBe(200);
    expect(main.count('u-once')).toBe(2);
  });

  it('hands it the verified claims, frozen', async () => {
    await get(firebaseToken(keys, { sub: 'u-claims', email: 'c@example.com' }));
    const claims = main.asked.find((one) => one.sub === 'u-claims')!;
    expect(claims).toMatchObject({ sub: 'u-claims', aud: PROJECT, email: 'c@example.com' });
    expect(Object.isFrozen(claims)).toBe(true);
  });

  it('refuses a revoked token with 401 TOKEN_REVOKED, and keeps that verdict too', async () => {
    main.state.answer = (claims) => claims.sub === 'u-revoked';
    const token = firebaseToken(keys, { sub: 'u-revoked' });
    expect(await refusal(token)).toEqual(REVOKED);
    const response = await call(`${url}/me`, { headers: bearer(token) });
    expect(response.headers.get('www-authenticate')).toBe(`Bearer realm="http://${url.slice(7)}/me", error="invalid_token"`);
    expect(main.count('u-revoked')).toBe(1);
    main.state.answer = () => false;
  });

  it.each([
    ['throws', () => { throw new Error('boom'); }],
    ['rejects', () => Promise.reject(new Error('boom'))],
    ['answers undefined', () => undefined],
    ['answers "false" (a string)', () => 'false'],
    ['resolves to 0', () => Promise.resolve(0)],
  ])('refuses as unverifiable when the check %s, and asks again on the next request', async (_case, answer) => {
    const sub = `u-fault-${_case.replace(/\W/g, '')}`;
    main.state.answer = answer;
    const token = firebaseToken(keys, { sub });
    expect(await refusal(token)).toEqual(UNAVAILABLE);
    expect(await refusal(token)).toEqual(UNAVAILABLE);
    expect(main.count(sub)).toBe(2);
    main.state.answer = () => false;
    expect((await get(token)).status).toBe(200);
    expect(main.count(sub)).toBe(3);
  });

  it('logs a failed check by its code only: no claim reaches the log', async () => {
    logger.lines.length = 0;
    main.state.answer = () => {
      throw Object.assign(new Error('There is no user record for uid u-secret (secret@example.com)'), { code: 'auth/user-not-found' });
    };
    expect(await refusal(firebaseToken(keys, { sub: 'u-secret', email: 'secret@example.com' }))).toEqual(UNAVAILABLE);
    main.state.answer = () => false;
    expect(logger.messages('warn')).toEqual(['"firebase": checkRevoked failed (Error "auth/user-not-found"); the token is refused']);
    expect(logger.lines.filter((line) => /u-secret|secret@example/.test(line.message))).toEqual([]);
  });

  it('refuses a cached token that became revoked once the verdict is older than revocationCacheSeconds (60 s)', async () => {
    const counters = app.get(EndpointsAuthCounters);
    const token = firebaseToken(keys, { sub: 'u-later' });
    expect((await get(token)).status).toBe(200);
    const before = counters.tokens();
    main.state.answer = (claims) => claims.sub === 'u-later';
    // Revoked now, but the verdict is still fresh: the request passes, from the validated-token cache.
    expect((await get(token)).status).toBe(200);
    clock.advance(59_000);
    expect((await get(token)).status).toBe(200);
    expect(main.count('u-later')).toBe(1);
    clock.advance(2_000);
    expect(await refusal(token)).toEqual(REVOKED);
    expect(main.count('u-later')).toBe(2);
    const after = counters.tokens();
    expect({ hits: after.hits - before.hits, misses: after.misses - before.misses }).toEqual({ hits: 3, misses: 0 });
    main.state.answer = () => false;
  });

  it('asks once for a burst of requests with one token while the first question is pending', async () => {
    const counters = app.get(EndpointsAuthCounters);
    const before = counters.tokens();
    let release!: (revoked: boolean) => void;
    main.state.answer = () => new Promise<boolean>((resolve) => (release = resolve));
    const token = firebaseToken(keys, { sub: 'u-burst' });
    const responses = Promise.all(Array.from({ length: 5 }, () => get(token)));
    const seen = () => counters.tokens().hits + counters.tokens().misses - before.hits - before.misses;
    await until(() => seen() === 5, 'five requests reaching the guard');
    release(false);
    expect((await responses).map((response) => response.status)).toEqual([200, 200, 200, 200, 200]);
    expect(main.count('u-burst')).toBe(1);
    main.state.answer = () => false;
  });

  it('keeps at most revocationCacheMaxEntries verdicts: with one, two users in turn are asked each time', async () => {
    const [x, y] = [firebaseToken(keys, { sub: 'u-x' }), firebaseToken(keys, { sub: 'u-y' })];
    for (const token of [x, x, y, x]) expect((await get(token, boundedUrl)).status).toBe(200);
    expect({ x: bounded.count('u-x'), y: bounded.count('u-y') }).toEqual({ x: 2, y: 1 });
  });

  it('asks on every request with revocationCacheSeconds 0', async () => {
    const token = firebaseToken(keys, { sub: 'u-always' });
    for (let round = 0; round < 3; round++) expect((await get(token, uncachedUrl)).status).toBe(200);
    expect(uncached.count('u-always')).toBe(3);
  });

  it('never asks about a token the profile or ESP refused', async () => {
    await get(firebaseToken(keys, { sub: 'u-refused', auth_time: undefined }));
    await get(firebaseToken(keys, { sub: 'u-refused', exp: nowSeconds() - 3600 }));
    expect(main.count('u-refused')).toBe(0);
  });
});
