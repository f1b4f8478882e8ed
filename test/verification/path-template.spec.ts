/** Path templates (lib/api-config/path-template.util.ts): OpenAPI and Nest spellings of one route, and ESPv2's matching. */
import { describe, expect, it } from 'vitest';
import { compileTemplate, matchesTemplate } from '../../lib/api-config/path-matcher.js';
import { compareSpecificity, joinPaths } from '../../lib/api-config/path-template.util.js';

describe('joinPaths', () => {
  it.each([
    [['/api', 'shelves', ':id'], '/api/shelves/:id'],
    [['/v1/', '/shelves/'], '/v1/shelves'],
    [['', 'shelves'], '/shelves'],
    [['', ''], '/'],
    [['/'], '/'],
    [['api//v1', '/books'], '/api/v1/books'],
  ])('joins %j into %s', (parts, joined) => {
    expect(joinPaths(...parts)).toBe(joined);
  });
});

describe('spec path templates, as ESPv2 matches them', () => {
  it.each([
    ['/shelves/{shelf}', ['/shelves/1', '/shelves/1/', '/shelves/a%2Fb', '/shelves/x.y'], ['/shelves', '/shelves/', '/shelves/1/books', '/Shelves/1', '/shelves//', '/v1/shelves/1']],
    ['/files/{path=**}', ['/files/a', '/files/a/b/c', '/files/a/b/c/'], ['/file/a', '/other/files/a']],
    ['/files/**', ['/files/a/b'], ['/filesa']],
    ['/v1/a.b', ['/v1/a.b', '/v1/a.b/'], ['/v1/aXb', '/v1/a.bc']],
    ['/v1/a+b', ['/v1/a+b'], ['/v1/aab', '/v1/aaab']],
    ['/v1/(x)', ['/v1/(x)'], ['/v1/x']],
    ['/v1/{name}:cancel', ['/v1/op-1:cancel'], ['/v1/op-1', '/v1/op-1:undo']],
    ['/shelves/{shelf}/books/{book}', ['/shelves/1/books/2'], ['/shelves/1/books', '/shelves/1/books/2/3']],
    ['/', ['/'], ['/a']],
  ])('%s', (template, matching, notMatching) => {
    const compiled = compileTemplate(template);
    for (const path of matching) expect(matchesTemplate(compiled, path), `${path} should match`).toBe(true);
    for (const path of notMatching) expect(matchesTemplate(compiled, path), `${path} should not match`).toBe(false);
  });
});

describe('compareSpecificity', () => {
  it('orders paths as ESPv2’s trie: literal before variable before wildcard, segment by segment', () => {
    const paths = ['/shelves/**', '/shelves/{shelf}', '/shelves/featured', '/{any}/featured', '/shelves/{shelf}/books'];
    expect([...paths].sort(compareSpecificity)).toEqual([
      '/shelves/featured',
      '/shelves/{shelf}/books',
      '/shelves/{shelf}',
      '/shelves/**',
      '/{any}/featured',
    ]);
  });
});
