/**
 * `queryParameter` against the reading it replaced (97806d1's `queryOf`: `URLSearchParams` over everything after the
 * URL's first `?`, then `get`), over URLs built from the pieces where the two can part: `?` at the start of a pair,
 * names that need decoding (`%5F`, `+`, `%3F`), bad escapes, surrogates. The run before the fix found
 * `?a&?access%5Ftoken=t` (a pair's own leading `?` dropped by decoding the name as a query of its own).
 */
import { describe, expect, it } from 'vitest';
import type { HttpRequestLike } from '../../lib/token/http-request.interface.js';
import { queryParameter } from '../../lib/token/query-parameter.util.js';

/** The replaced reading, as it was. */
function before(url: string, name: string): string | undefined {
  const start = url.indexOf('?');
  return start === -1 ? undefined : (new URLSearchParams(url.slice(start + 1)).get(name) ?? undefined);
}

const at = (url: string) => ({ url, headers: {} }) as unknown as HttpRequestLike;

describe('queryParameter against the URLSearchParams reading', () => {
  it.each([
    ['/p?a=1&?access%5Ftoken=t', 'access_token'],
    ['/p???access%5Ftoken=t', 'access_token'],
    ['/p?x&?access+token=t', 'access token'],
    ['/p?a&?%3Faccess_token=t', '?access_token'],
    ['/p?a&??access%5Ftoken=t', '??access_token'],
    ['/p?%3Faccess_token=t', '?access_token'],
    ['/p??%3Faccess_token=t', '?access_token'],
  ])('%j, %j', (url, name) => {
    expect(queryParameter(at(url), name)).toBe(before(url, name));
  });

  it('agrees over a seeded run of URLs built from the pieces where they can part', () => {
    const pieces = ['?', '&', '=', '&?', '??', 'access_token', 'access%5Ftoken', 'access+token', '%3F', '%', '%zz', '+', 't', '#', '\uD83D', '\uDE00', 'é'];
    const names = ['access_token', '?access_token', 'access token', '??access_token', 't'];
    let seed = 1818;
    // A linear congruential generator's low bits repeat quickly: its high bits pick.
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor((seed / 2 ** 31) * n));
    let found = 0;
    for (let run = 0; run < 30_000; run++) {
      let url = '/p?';
      for (let length = 1 + random(8); length > 0; length--) url += pieces[random(pieces.length)];
      for (const name of names) {
        const expected = before(url, name);
        if (expected !== undefined) found++;
        expect(queryParameter(at(url), name), `${JSON.stringify(url)} ${JSON.stringify(name)}`).toBe(expected);
      }
    }
    // The run reached the cases that matter: many URLs carry the parameter.
    expect(found).toBeGreaterThan(3000);
  });
});
