/**
 * `queryParameter` reads a query parameter in place where it can; what it answers must be what
 * `new URLSearchParams(query).get(name)` answers (the reading it replaced) for every URL, crafted and random.
 * test/requirements/token-locations.e2e.spec.ts covers `?access_token=` in real apps.
 */
import { describe, expect, it } from 'vitest';
import type { HttpRequestLike } from '../../lib/token/http-request.interface.js';
import { queryParameter } from '../../lib/token/query-parameter.util.js';

const requestAt = (url: string, originalUrl?: string) => ({ url, originalUrl, headers: {} }) as unknown as HttpRequestLike;

/** The reading `queryParameter` replaced. */
function reference(url: string, name: string): string | undefined {
  const start = url.indexOf('?');
  return start === -1 ? undefined : (new URLSearchParams(url.slice(start + 1)).get(name) ?? undefined);
}

describe('queryParameter', () => {
  it.each([
    ['/hello', undefined],
    ['/hello?', undefined],
    ['/hello?access_token=a.b.c', 'a.b.c'],
    ['/hello?x=1&access_token=a.b.c&y=2', 'a.b.c'],
    ['/hello?access_token=first&access_token=second', 'first'],
    ['/hello?access_token', ''],
    ['/hello?access_token=', ''],
    ['/hello?access_token=a=b', 'a=b'],
    ['/hello?&&access_token=t&', 't'],
    ['/hello??access_token=t', 't'],
    ['/hello???access_token=t', undefined],
    ['/hello?access_tokens=t', undefined],
    ['/hello?Access_token=t', undefined],
    ['/hello?access%5Ftoken=t', 't'],
    ['/hello?access_token=a%2Eb+c', 'a.b c'],
    ['/hello?access_token=%zz%4', '%zz%4'],
    ['/hello?access_token=%C3%A9%FF', 'é\uFFFD'],
    ['/hello?access+token=t', undefined],
    ['/a?b=c?access_token=t', undefined],
    ['/hello?access_token=t#frag', 't#frag'],
  ])('reads %j as URLSearchParams does', (url, expected) => {
    expect(queryParameter(requestAt(url), 'access_token')).toBe(expected);
    expect(reference(url, 'access_token')).toBe(expected);
  });

  it('reads the URL Express routed (originalUrl) before url', () => {
    expect(queryParameter(requestAt('/inner', '/outer?access_token=t'), 'access_token')).toBe('t');
    expect(queryParameter(requestAt('/inner?access_token=u'), 'access_token')).toBe('u');
  });

  it('finds a name that needs decoding itself ("a b" as a+b or a%20b)', () => {
    expect(queryParameter(requestAt('/x?a+b=1'), 'a b')).toBe('1');
    expect(queryParameter(requestAt('/x?a%20b=2'), 'a b')).toBe('2');
    expect(queryParameter(requestAt('/x?a b=3'), 'a b')).toBe('3');
  });

  it('answers as URLSearchParams for a seeded run of random URLs', () => {
    const alphabet = ['a', 'b', '_', '=', '&', '?', '%', '2', 'B', '5', 'F', '+', ' ', '#', 'é', '\uD800', 'access_token', 'access%5Ftoken', 'a_t'];
    let seed = 7;
    const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), Math.floor((seed / 2 ** 31) * n));
    let found = 0;
    for (let run = 0; run < 20_000; run++) {
      let url = '/p';
      for (let length = random(14); length > 0; length--) url += alphabet[random(alphabet.length)];
      for (const name of ['access_token', 'a_t', 'a', '']) {
        const expected = reference(url, name);
        if (expected !== undefined) found++;
        expect(queryParameter(requestAt(url), name), `${JSON.stringify(url)} ${name}`).toBe(expected);
      }
    }
    expect(found).toBeGreaterThan(500);
  });
});
