/**
 * A key server that pads its JWKS to the body cap with 7,000 P-256 keys sharing one kid (issue 13, point 7): before
 * the fix every refresh compared each new key with every old one and froze the event loop for 37 s. Over a real
 * socket on Express and Fastify: the first 100 keys in document order are kept (a token of the first verifies, one
 * of a key past the cap does not), the drop is logged once with its count, and a refresh costs far below a second of
 * CPU time. The stall was synchronous work on the event loop, so its CPU time bounds it; unlike the loop's measured
 * delay, CPU time does not grow when a busy machine leaves the process waiting for a core.
 */
import { randomUUID } from 'node:crypto';
import { type INestApplication, Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EndpointsAuthCounters } from '../../lib/index.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { type TestKey, claims, makeKey, signJwt } from '../support/keys.js';
import { ManualClock } from '../support/manual-clock.js';
import { bootApp, expectClaims, expectFailure } from '../verification/verification-kit.js';

const ISSUER = 'https://large-set.example.com';
const AUDIENCE = 'large-set-audience';
const KEY_COUNT = 7000;
const ONE_MIB = 1024 * 1024;

// Without `use` the 7,000 keys fit under the default 1 MiB body cap, as in the report.
const keys: TestKey[] = Array.from({ length: KEY_COUNT }, () => makeKey('ES256', 'shared'));
const body = { keys: keys.map(({ jwk: { use: _use, ...jwk } }) => jwk) };

describe.each(ADAPTERS)('a JWKS of 7,000 P-256 keys sharing a kid, on %s', (adapter: AdapterName) => {
  const server = new KeyServer();
  const warnings: string[] = [];
  const clock = new ManualClock();
  let app: INestApplication;
  let route: string;

  beforeAll(async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(function (this: Logger, message: unknown) {
      if ((this as unknown as { context?: string }).context === 'EndpointsAuthKeys') warnings.push(String(message));
    });
    await server.start();
    server.set('/keys', { body });
    const started = await bootApp(
      adapter,
      { big: { issuer: ISSUER, jwksUri: `${server.url}/keys`, audiences: AUDIENCE } },
      { keyCache: { unknownKidCooldownSeconds: 1 } },
      undefined,
      clock,
    );
    app = started.app;
    route = `${started.url}/big`;
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await app?.close();
    await server.stop();
  });

  const token = (key: TestKey, kid = 'shared') => signJwt(key, claims(ISSUER, AUDIENCE, { jti: randomUUID() }), { kid });

  it('is served whole, under the body cap', () => {
    expect(JSON.stringify(body).length).toBeLessThan(ONE_MIB);
    expect(JSON.stringify(body).length).toBeGreaterThan(ONE_MIB * 0.9);
  });

  it('keeps the first 100 keys in document order: a token of the first verifies, one of a dropped key does not', async () => {
    const payload = claims(ISSUER, AUDIENCE, { jti: 'kept' });
    expectClaims(await call(route, { headers: bearer(signJwt(keys[0], payload)) }), payload);
    // The kid matches, so the kept keys are tried (at most 8 of them); none is the signer.
    const dropped = await call(route, { headers: bearer(token(keys[KEY_COUNT - 1])) });
    expectFailure(dropped, route, { code: 'INVALID_TOKEN', message: 'Jwt verification fails' });
    expect(warnings).toEqual([`the key set of "big" at ${server.url}/keys holds 7000 keys: the first 100 are read, 6900 dropped`]);
  });

  it('refreshes without stalling the event loop (it stalled 37 s), and the kept key still verifies', async () => {
    const counters = app.get(EndpointsAuthCounters);
    clock.advance(1000); // past the unknown-kid cooldown: a token with a new kid refreshes the set
    const before = counters.keys('big');
    const cpu = process.cpuUsage();
    // The request waits for the refresh it triggers, so its answer marks the refresh's end.
    const answer = await call(route, { headers: bearer(token(keys[0], 'rotated-in')) });
    const used = process.cpuUsage(cpu);
    expectFailure(answer, route, { code: 'KEY_NOT_FOUND', message: "Jwks doesn't have key to match kid or alg from Jwt" });
    expect(counters.keys('big')).toEqual({ ...before, fetches: before.fetches + 1, unknownKidRefetches: before.unknownKidRefetches + 1 });
    // This process's CPU time over the request (key server, app and refresh all run here); before the fix, 37 s.
    expect((used.user + used.system) / 1000).toBeLessThan(1000);
    expect((await call(route, { headers: bearer(token(keys[0])) })).status).toBe(200);
  });
});
