/**
 * The reused buffers under re-entrancy, over real sockets (Express and Fastify): two apps in one process share the
 * reader's and the signature check's module buffers, and every request below is parsed, then waits for its issuer's
 * keys (served 1.5 s late: the apps' start-up fetch is still in flight when the first wave arrives, so its requests
 * are parsed, then parked on that fetch, then verified together), then verified. Tokens of different sizes,
 * good and forged, interleaved across both apps, must each get their own verdict: a buffer that carried one request's
 * bytes into another's check would verify a forged token, refuse a good one, or echo another caller's claims.
 */
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { claims, makeKey, signJwt } from '../support/keys.js';
import { bootApp, expectClaims, expectFailure, flipBit, hmacJwt } from '../verification/verification-kit.js';

const RS = { issuer: 'https://rs.review18.example.com', key: makeKey('RS256', 'rs-1') };
const ES = { issuer: 'https://es.review18.example.com', key: makeKey('ES256', 'es-1') };
const AUDIENCE = 'review-18';

describe.each(ADAPTERS)('verdicts of concurrent requests while keys are fetched (%s)', (adapter: AdapterName) => {
  let keys: KeyServer;
  const apps: INestApplication[] = [];
  const urls: string[] = [];

  beforeAll(async () => {
    // Served late so the first wave's requests are parsed, then parked on the start-up fetch, before any verifies (the
    // verdicts do not depend on it; the interleaving it gives is what the wave is for).
    keys = await new KeyServer()
      .set('/rs', { body: { keys: [RS.key.jwk] }, delayMs: 1_500 })
      .set('/es', { body: { keys: [ES.key.jwk] }, delayMs: 1_500 })
      .start();
    for (let count = 0; count < 2; count++) {
      const { app, url } = await bootApp(
        adapter,
        {
          rs: { issuer: RS.issuer, jwksUri: `${keys.url}/rs`, audiences: AUDIENCE },
          es: { issuer: ES.issuer, jwksUri: `${keys.url}/es`, audiences: AUDIENCE },
        },
        { tokenCache: false },
      );
      apps.push(app);
      urls.push(url);
    }
  });
  afterAll(async () => {
    for (const app of apps) await app.close();
    await keys?.stop();
  });

  /** One request: which app and route, the token, and the answer it must get. */
  interface Case {
    url: string;
    token: string;
    payload?: Record<string, unknown>;
  }

  function cases(wave: number): Case[] {
    const list: Case[] = [];
    let n = 0;
    for (const [index, url] of urls.entries()) {
      for (const pad of [0, 3_000, 6_000, 11_000, 40]) {
        for (const [route, issuer] of [['rs', RS], ['es', ES]] as const) {
          const payload = claims(issuer.issuer, AUDIENCE, { n: `${wave}-${index}-${route}-${pad}-${n++}`, pad: 'q'.repeat(pad) });
          const token = signJwt(issuer.key, payload);
          list.push({ url: `${url}/${route}`, token, payload });
          // A forged token of the same size right beside it: same header and payload, one signature bit flipped.
          list.push({ url: `${url}/${route}`, token: flipBit(token) });
          // The same claims MAC'd as HS256 with the issuer's public JWK text (key confusion): refused, never verified.
          if (pad === 3_000) list.push({ url: `${url}/${route}`, token: hmacJwt(JSON.stringify(issuer.key.jwk), payload, { kid: issuer.key.kid }) });
        }
      }
    }
    return list;
  }

  it.each([
    ['keys still being fetched', 1],
    ['keys held', 2],
  ] as const)('gives each of many interleaved requests its own verdict (%s)', async (_name, wave) => {
    const list = cases(wave);
    const answers = await Promise.all(list.map((item) => call(item.url, { headers: bearer(item.token) })));
    // One fetch per app and issuer (the start-up one, which the first wave's requests waited for).
    expect([keys.count('/rs'), keys.count('/es')]).toEqual([apps.length, apps.length]);
    for (const [index, item] of list.entries()) {
      const answer = answers[index]!;
      if (item.payload) expectClaims(answer, item.payload);
      else expect(answer.status, `case ${index}`).toBe(401);
    }
    // The flipped-bit forgeries fail the signature check itself, not an earlier step.
    const forged = list.findIndex((item) => !item.payload);
    expectFailure(answers[forged]!, list[forged]!.url, { code: 'INVALID_TOKEN', message: 'Jwt verification fails' });
  });
});
