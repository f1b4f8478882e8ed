/**
 * Route paths read as each router reads them (path-to-regexp 8 for Express, find-my-way for Fastify), the spec paths
 * a route can serve, and the concrete path rebuilt from the parameters a router decoded.
 */
import { describe, expect, it } from 'vitest';
import { routeVariants } from '../../lib/routes/route-path.js';
import { concretePath, coversAll, mayOverlap, normalizedPath } from '../../lib/routes/route-spec-match.js';
import type { SpecPath } from '../../lib/api-config/resolved-spec.js';
import { compileTemplate, matchesTemplate } from '../../lib/api-config/path-matcher.js';

const specPath = (path: string): SpecPath => ({
  path,
  templates: [path],
  methods: new Map(),
});

const shapes = (path: string, syntax: 'path-to-regexp' | 'find-my-way' = 'path-to-regexp') =>
  routeVariants(path, syntax)?.map((variant) =>
    variant.segments
      .map((segment) => segment.map((part) => ('text' in part ? part.text : 'param' in part ? `:${part.param}` : `*${part.rest}`)).join(''))
      .join('/'),
  );

describe('path-to-regexp 8 paths (Express)', () => {
  it.each([
    ['/shelves/:shelf', ['shelves/:shelf']],
    ['/books{/:id}', ['books', 'books/:id']],
    ['/files/{*path}', ['files', 'files/*path']],
    ['/files/*path', ['files/*path']],
    ['/a/:"quoted name"/b', ['a/:quoted name/b']],
    ['/geo/:lat-:lng', ['geo/:lat-:lng']],
    ['/a\\:b/c', ['a:b/c']],
    ['/x{/:a{/:b}}', ['x', 'x/:a', 'x/:a/:b']],
    ['/', ['']],
  ])('%s', (path, expected) => {
    expect(shapes(path)).toEqual(expected);
  });

  it.each(['/a/(x)', '/a/:', '/a/{b', '/a/b}', '/a?', '/a+'])('cannot read %s (the route is then decided as a whole)', (path) => {
    expect(routeVariants(path, 'path-to-regexp')).toBeUndefined();
  });

  it('refuses to expand a path into more than 64 variants', () => {
    expect(routeVariants('/a' + '{/:p}'.repeat(7), 'path-to-regexp')).toBeUndefined();
  });
});

describe('find-my-way paths (Fastify)', () => {
  it.each([
    ['/shelves/:shelf', ['shelves/:shelf']],
    ['/shelves/:shelf?', ['shelves/:shelf', 'shelves']],
    ['/files/*', ['files/**']],
    ['/geo/:lat-:lng', ['geo/:lat-:lng']],
    ['/re/:id(^\\d+)/x', ['re/:id/x']],
    ['/time/::at', ['time/:at']],
  ])('%s', (path, expected) => {
    expect(shapes(path, 'find-my-way')).toEqual(expected);
  });
});

describe('which spec paths a route can serve', () => {
  const variant = (path: string, syntax: 'path-to-regexp' | 'find-my-way' = 'path-to-regexp') => routeVariants(path, syntax)![0];

  it.each([
    ['/shelves/:shelf', '/shelves/featured', 'exact', true],
    ['/shelves/:shelf', '/shelves/{shelf}', 'exact', true],
    ['/shelves/featured', '/shelves/{shelf}', 'exact', true],
    ['/shelves/featured', '/shelves/other', 'exact', false],
    ['/Shelves/featured', '/shelves/featured', 'exact', false],
    ['/Shelves/featured', '/shelves/featured', 'ignore-case', true],
    ['/Shelves/featured', '/shelves/featured', 'lower-case', true],
    ['/\u212Aids', '/kids', 'ignore-case', false],
    ['/\u212Aids', '/kids', 'lower-case', true],
    ['/shelves/:shelf', '/shelves/{shelf}/books', 'exact', false],
    ['/shelves/:shelf/books', '/shelves/featured/{x}', 'exact', true],
    ['/files/*path', '/files/public/readme', 'exact', true],
    ['/files/x', '/files/{path=**}', 'exact', true],
    ['/other/x', '/files/{path=**}', 'exact', false],
    ['/report.json', '/{name}.json', 'exact', true],
    ['/report.xml', '/{name}.json', 'exact', false],
  ] as const)('%s may serve %s (router compares %s): %s', (route, spec, fold, expected) => {
    expect(mayOverlap(variant(route), spec, fold)).toBe(expected);
  });

  it.each([
    ['/shelves/:shelf', '/shelves/{shelf}', true],
    ['/shelves/:shelf', '/shelves/featured', false],
    ['/files/*path', '/files/{path=**}', true],
    ['/geo/:lat-:lng', '/geo/{where}', true],
    ['/reports/:id', '/reports/{id}.json', false],
  ])('every path of %s matches %s: %s', (route, spec, expected) => {
    expect(coversAll(variant(route), specPath(spec), 'exact')).toBe(expected);
  });

  it.each([
    ['/files//secret', '/files/secret'],
    ['/files/./secret/.', '/files/secret'],
    ['/files/x/../secret', '/files/secret'],
    ['/files/../../admin/users', '/admin/users'],
    ['/files/a/', '/files/a'],
  ])('normalises %s to %s, as ESPv2 does before matching', (path, expected) => {
    expect(normalizedPath(path)).toBe(expected);
  });

  it('rebuilds the path the router saw: decoded values, a decoded / kept inside its segment, wildcard segments', () => {
    expect(concretePath(variant('/shelves/:shelf'), { shelf: 'featured' })).toBe('/shelves/featured');
    const slash = concretePath(variant('/shelves/:shelf'), { shelf: 'featured/x' });
    expect(matchesTemplate(compileTemplate('/shelves/featured/x'), slash)).toBe(false);
    expect(matchesTemplate(compileTemplate('/shelves/{shelf}'), slash)).toBe(true);
    expect(concretePath(variant('/files/*path'), { path: ['a', 'b c'] })).toBe('/files/a/b c');
    expect(concretePath(variant('/files/*', 'find-my-way'), { '*': 'a/b' })).toBe('/files/a/b');
    // An inherited property is never a parameter.
    expect(concretePath(variant('/x/:constructor'), {})).toBe('/x/');
  });
});
