/**
 * The default header locations as the in-place raw-header reader finds them, over raw sockets on Express and Fastify:
 * the name in any ASCII case, every repeated `Authorization` verified (a junk one refuses the request whichever comes
 * first), the `Bearer` prefix's case and spacing, an empty value, and a name Node refuses before any guard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterName } from '../support/app.js';
import type { KeyServer } from '../support/key-server.js';
import { type ReviewApp, alphaToken, bootAlpha, keyServer, rawGet } from './review-kit.js';

describe.each(ADAPTERS)('header tokens on %s', (adapter: AdapterName) => {
  let server: KeyServer;
  let booted: ReviewApp;
  const good = alphaToken({ sub: 'header-user' });
  const other = alphaToken({ sub: 'other-user' });
  const get = (...lines: string[]) => rawGet(booted.url, '/alpha', lines);

  beforeAll(async () => {
    server = await keyServer();
    booted = await bootAlpha(server, adapter);
  });

  afterAll(async () => {
    await booted.app.close();
    await server.stop();
  });

  const ok = { status: 200, code: null, sub: 'header-user' };
  const invalid = { status: 401, code: 'INVALID_TOKEN', sub: null };
  const missing = { status: 401, code: 'MISSING_TOKEN', sub: null };

  it.each([
    ['Authorization', `Authorization: Bearer ${good}`],
    ['AUTHORIZATION', `AUTHORIZATION: Bearer ${good}`],
    ['authorizatioN', `authorizatioN: Bearer ${good}`],
    ['the IAP header', `x-goog-iap-jwt-assertion: ${good}`],
    ['the IAP header in capitals', `X-GOOG-IAP-JWT-ASSERTION: ${good}`],
    ['the same token twice', `Authorization: Bearer ${good}`, `authorization: Bearer ${good}`],
  ])('finds the token: %s', async (_, ...lines) => {
    expect(await get(...lines)).toEqual(ok);
  });

  it('verifies both of two good tokens in repeated headers and hands over the first', async () => {
    expect(await get(`Authorization: Bearer ${good}`, `AUTHORIZATION: Bearer ${other}`)).toEqual(ok);
  });

  it.each([
    ['a junk one after', [`Authorization: Bearer ${good}`, 'Authorization: Bearer junk']],
    ['a junk one before', ['authorization: Bearer junk', `Authorization: Bearer ${good}`]],
    ['a junk IAP header beside it', [`Authorization: Bearer ${good}`, 'X-Goog-Iap-Jwt-Assertion: junk']],
  ])('refuses a good Authorization token with %s: every one must verify', async (_, lines) => {
    expect(await get(...lines)).toEqual(invalid);
  });

  it.each([
    ['an empty Authorization', ['Authorization:']],
    ['Bearer alone', ['Authorization: Bearer ']],
    ['another scheme', [`Authorization: Basic ${good}`]],
    ['a tab after Bearer', [`Authorization: Bearer\t${good}`]],
    ['a name one letter off', [`Authorisation: Bearer ${good}`]],
  ])('finds no token: %s', async (_, lines) => {
    expect(await get(...lines)).toEqual(missing);
  });

  it.each([
    ['bearer', `Authorization: bearer ${good}`],
    ['BEARER', `Authorization: BEARER ${good}`],
  ])('reads the default location\'s prefix in any case (%s), as before the change', async (_, line) => {
    expect(await get(line)).toEqual(ok);
  });

  it('leaves a header name Node refuses (not a token: U+0130) to Node: 400, no guard', async () => {
    expect((await get(`Authorizat\u0130on: Bearer ${good}`)).status).toBe(400);
  });
});
