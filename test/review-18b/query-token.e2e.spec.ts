/**
 * `?access_token=` as the in-place query reader finds it, over raw sockets on Express and Fastify: the answer must
 * be the one the reading it replaced gave (`URLSearchParams` over everything after the URL's first `?`). Found in
 * review: a later pair whose name needs decoding and starts with `?` (`?a=1&?access%5Ftoken=...`) lost that `?` and
 * was read as `access_token`; the whole query has no such parameter.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterName } from '../support/app.js';
import type { KeyServer } from '../support/key-server.js';
import { type ReviewApp, alphaToken, bootAlpha, keyServer, rawGet } from './review-kit.js';

describe.each(ADAPTERS)('the access_token query parameter on %s', (adapter: AdapterName) => {
  let server: KeyServer;
  let booted: ReviewApp;
  const good = alphaToken({ sub: 'query-user' });
  const get = (target: string) => rawGet(booted.url, target, []);

  beforeAll(async () => {
    server = await keyServer();
    booted = await bootAlpha(server, adapter);
  });

  afterAll(async () => {
    await booted.app.close();
    await server.stop();
  });

  const ok = { status: 200, code: null, sub: 'query-user' };
  const missing = { status: 401, code: 'MISSING_TOKEN', sub: null };

  it.each([
    ['plain', `/alpha?access_token=${good}`, ok],
    ['the name percent-encoded', `/alpha?access%5Ftoken=${good}`, ok],
    ['the token percent-encoded', `/alpha?access_token=${good.replaceAll('.', '%2E')}`, ok],
    ['one extra leading ? (URLSearchParams drops it)', `/alpha??access_token=${good}`, ok],
    ['the first of two (the second is junk)', `/alpha?access_token=${good}&access_token=junk`, ok],
    ['after other pairs and empty ones', `/alpha?x=1&&access_token=${good}&`, ok],
  ])('finds the token: %s', async (_, target, expected) => {
    expect(await get(target)).toEqual(expected);
  });

  it.each([
    ['a later pair named ?access%5Ftoken', `/alpha?a=1&?access%5Ftoken=${good}`],
    ['a first pair after two extra ?', `/alpha???access%5Ftoken=${good}`],
    ['a later pair named ?access_token', `/alpha?a=1&?access_token=${good}`],
    ['the name with a + (a space)', `/alpha?access+token=${good}`],
    ['the name in another case', `/alpha?Access_token=${good}`],
    ['a ? inside another value', `/alpha?x=/p?access_token=${good}`],
  ])('finds no token: %s', async (_, target) => {
    expect(await get(target)).toEqual(missing);
  });

  it.each([
    ['the first of two is junk', `/alpha?access_token=junk&access_token=${good}`],
    ['a + (a space) after it', `/alpha?access_token=${good}+`],
    ['%2B (a plus) after it', `/alpha?access_token=${good}%2B`],
    ['%00 after it', `/alpha?access_token=${good}%00`],
    ['a bad escape after it', `/alpha?access_token=${good}%zz`],
    ['a fragment after it (part of the value, as URLSearchParams reads it)', `/alpha?access_token=${good}#frag`],
  ])('refuses what it finds: %s', async (_, target) => {
    expect(await get(target)).toEqual({ status: 401, code: 'INVALID_TOKEN', sub: null });
  });

  it('reads the query of an absolute-form request target', async () => {
    const { host } = new URL(booted.url);
    expect(await get(`http://${host}/alpha?access_token=${good}`)).toEqual(ok);
    expect(await get(`http://${host}/alpha?access_token=junk`)).toMatchObject({ status: 401, code: 'INVALID_TOKEN' });
  });

  it('answers 431 to a query longer than the header limit, before any guard runs', async () => {
    expect(await get(`/alpha?pad=${'x'.repeat(17 * 1024)}&access_token=${good}`)).toMatchObject({ status: 431 });
  });
});
