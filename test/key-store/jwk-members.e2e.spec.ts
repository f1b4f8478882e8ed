/**
 * A served JWK whose `n` is written in standard base64 (issue 13, point 5), over a real socket: jwt_verify_lib skips
 * such a key, so a set holding only that key has no usable key (`KEYS_UNAVAILABLE`), and a set with a good key beside
 * it verifies with the good one. The skipped key is logged once, by kid and reason.
 */
import { type INestApplication, Logger } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { type TestKey, claims, makeKey, signJwt } from '../support/keys.js';
import { bootApp, expectClaims, expectFailure } from '../verification/verification-kit.js';

const AUDIENCE = 'members-audience';
const ONLY_BAD = 'https://only-bad.example.com';
const MIXED = 'https://mixed.example.com';

/** An RSA key whose `n` has a `-` or `_`, served with `n` in the standard alphabet (`+`, `/`). */
function standardAlphabetKey(kid: string): { key: TestKey; jwk: Record<string, unknown> } {
  for (;;) {
    const key = makeKey('RS256', kid);
    const n = String(key.jwk['n']);
    if (/[-_]/.test(n)) return { key, jwk: { ...key.jwk, n: n.replaceAll('-', '+').replaceAll('_', '/') } };
  }
}

const bad = standardAlphabetKey('standard-n');
const good = makeKey('ES256', 'good');

describe.each(ADAPTERS)('a JWK whose n is standard base64, on %s', (adapter: AdapterName) => {
  const server = new KeyServer();
  const warnings: string[] = [];
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    vi.spyOn(Logger.prototype, 'warn').mockImplementation(function (this: Logger, message: unknown) {
      if ((this as unknown as { context?: string }).context === 'EndpointsAuthKeys') warnings.push(String(message));
    });
    await server.start();
    server.jwks('/only-bad', [bad.jwk]).jwks('/mixed', [bad.jwk, good.jwk]);
    ({ app, url } = await bootApp(adapter, {
      onlyBad: { issuer: ONLY_BAD, jwksUri: `${server.url}/only-bad`, audiences: AUDIENCE },
      mixed: { issuer: MIXED, jwksUri: `${server.url}/mixed`, audiences: AUDIENCE },
    }));
  });
  afterAll(async () => {
    vi.restoreAllMocks();
    await app?.close();
    await server.stop();
  });

  it('refuses the token signed by the only key of a set with KEYS_UNAVAILABLE: the set has no usable key', async () => {
    const route = `${url}/onlyBad`;
    const answer = await call(route, { headers: bearer(signJwt(bad.key, claims(ONLY_BAD, AUDIENCE))) });
    expectFailure(answer, route, { code: 'KEYS_UNAVAILABLE', message: 'Jwks remote fetch is failed' });
  });

  it('verifies with the good key of a set that also holds the bad one, and finds no key for the bad one', async () => {
    const route = `${url}/mixed`;
    const payload = claims(MIXED, AUDIENCE);
    expectClaims(await call(route, { headers: bearer(signJwt(good, payload)) }), payload);
    const answer = await call(route, { headers: bearer(signJwt(bad.key, claims(MIXED, AUDIENCE))) });
    expectFailure(answer, route, { code: 'KEY_NOT_FOUND', message: "Jwks doesn't have key to match kid or alg from Jwt" });
  });

  it('logs the skipped key once per definition, by kid and reason, never its value', async () => {
    const lines = (name: string) => warnings.filter((line) => line.startsWith(`key "standard-n" of "${name}"`));
    expect(lines('mixed')).toEqual(['key "standard-n" of "mixed" skipped: n is not base64url']);
    expect(lines('onlyBad')).toEqual(['key "standard-n" of "onlyBad" skipped: n is not base64url']);
    expect(warnings.some((line) => line.includes(String(bad.jwk['n']).slice(0, 16)))).toBe(false);
  });
});
