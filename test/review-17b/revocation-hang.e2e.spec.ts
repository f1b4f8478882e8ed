/**
 * A `checkRevoked` that never answers (Google unreachable, a stalled socket): one question at a time per key means
 * every later request of that user waits on the same question. It must give up within its deadline (10 s on the
 * injected clock) with REVOCATION_UNAVAILABLE, and the next request must ask again rather than wait on it.
 */
import { Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule } from '../../lib/index.js';
import { ADAPTERS, Apps, bearer, call, startAppWith } from '../support/app.js';
import { ManualClock, until } from '../support/manual-clock.js';
import { ClaimsController, type FirebaseKeys, firebaseSpec, firebaseToken, startFirebaseKeys } from '../firebase/firebase-kit.js';

describe.each(ADAPTERS)('a checkRevoked that never answers on %s', (adapter) => {
  const apps = new Apps();
  let keys: FirebaseKeys;
  let url: string;
  const clock = new ManualClock();
  let questions = 0;

  beforeAll(async () => {
    keys = await startFirebaseKeys();
    // The first question hangs for ever; later ones answer "not revoked".
    const checkRevoked = () => (++questions === 1 ? new Promise<boolean>(() => undefined) : false);
    @Module({
      imports: [EndpointsAuthModule.forRoot({ spec: firebaseSpec(keys), definitions: { firebase: { firebase: { checkRevoked } } } })],
      controllers: [ClaimsController],
    })
    class AppModule {}
    ({ url } = apps.track(await startAppWith(AppModule, adapter, { keyClock: clock })));
  });
  afterAll(async () => {
    await apps.closeAll();
    await keys?.server.stop();
  });

  it('refuses as unverifiable at its deadline, and the next request asks again', async () => {
    const token = firebaseToken(keys);
    // The signal only ends a request that would hang for ever (the bug), so the test fails instead of hanging.
    const first = call(`${url}/me`, { headers: bearer(token), signal: AbortSignal.timeout(60_000) });
    await until(() => questions === 1, 'the first question');
    clock.advance(10_000);
    const answer = await first;
    expect([answer.status, answer.body.errorCode]).toEqual([401, 'REVOCATION_UNAVAILABLE']);
    expect((await call(`${url}/me`, { headers: bearer(token) })).status).toBe(200);
    expect(questions).toBe(2);
  });
});
