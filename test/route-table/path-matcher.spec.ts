/**
 * The spec path matcher used per request gives the answers of the template's regular expression (`^/<template>/?$`,
 * ESPv2's `uri_template` semantics) without its backtracking: compared on every short path over a small alphabet, and
 * run on inputs that would take a backtracking regular expression minutes.
 */
import { describe, expect, it } from 'vitest';
import { compileTemplate, ignoreCase, matchesTemplate } from '../../lib/api-config/path-matcher.js';
import { compareSpecificity } from '../../lib/api-config/path-template.util.js';
import { templateRegExp as openApiPathPattern } from '../support/template-regexp.js';

const TEMPLATES = [
  '/',
  '/a',
  '/a/b',
  '/a/{x}',
  '/{x}/b',
  '/a/{x}-{y}',
  '/{x}-{y}-{z}/a',
  '/{x}{y}',
  '/a-{x}',
  '/{x}.b',
  '/a/**',
  '/a/{p=**}',
  '/**/b',
  '/a/{p=**}:c',
  '/**:a-b',
  '/{x}/**',
];

/** Every path of up to `length` characters over `alphabet`, with a leading `/`. */
function* paths(alphabet: string, length: number): Generator<string> {
  yield '/';
  let frontier = [''];
  for (let size = 1; size <= length; size++) {
    frontier = frontier.flatMap((prefix) => [...alphabet].map((char) => prefix + char));
    for (const body of frontier) yield `/${body}`;
  }
}

describe('the linear matcher agrees with the regular expression', () => {
  it.each(TEMPLATES)('%s, on every path of up to 6 characters over "ab-/:c."', (template) => {
    const compiled = compileTemplate(template);
    const pattern = openApiPathPattern(template);
    const disagreements: string[] = [];
    for (const path of paths('ab-/:c.', 6)) {
      if (matchesTemplate(compiled, path) !== pattern.test(path)) disagreements.push(path);
    }
    expect(disagreements).toEqual([]);
  });

  it.each(['/a/b', '/A/{x}-b', '/{x}B/**', '/a/{p=**}:B'])('%s ignoring case, as its `i` expression, on every path of up to 5 characters', (template) => {
    const compiled = compileTemplate(template, ignoreCase);
    const pattern = openApiPathPattern(template, 'i');
    const disagreements: string[] = [];
    for (const path of paths('aAbB/-:', 5)) {
      if (matchesTemplate(compiled, ignoreCase(path)) !== pattern.test(path)) disagreements.push(path);
    }
    expect(disagreements).toEqual([]);
  });

  it('compares case as an `i` expression does when asked to: K KELVIN SIGN is not k', () => {
    const compiled = compileTemplate('/stacks/kids', ignoreCase);
    expect(matchesTemplate(compiled, ignoreCase('/STACKS/Kids'))).toBe(true);
    expect(matchesTemplate(compiled, ignoreCase('/stacks/\u212Aids'))).toBe(false);
    expect(openApiPathPattern('/stacks/kids', 'i').test('/stacks/\u212Aids')).toBe(false);
  });
});

describe('paths a backtracking matcher would take minutes on', () => {
  it.each([
    ['/tiles/{z}-{x}-{y}/png', `/tiles/${'-'.repeat(15_000)}/jpg`],
    ['/a/{x}{y}{z}{w}.json', `/a/${'x'.repeat(15_000)}.jsox`],
    ['/**/b/**/c', `/${'b/'.repeat(7_000)}d`],
  ])('%s on a 15 KB path: answered (no match)', (template, path) => {
    expect(matchesTemplate(compileTemplate(template), path)).toBe(false);
  });
});

describe('specificity, as ESPv2 orders its routes', () => {
  it('puts literals before variables before wildcards, deeper before shallower, and a :verb before the same template without one', () => {
    const sorted = ['/v1/{p=**}', '/v1/docs/{id}', '/v1/docs/featured', '/v1/docs/{id}:fetch', '/v1/docs', '/v1/{a}/{b}/{c}'].sort(compareSpecificity);
    expect(sorted).toEqual(['/v1/docs/featured', '/v1/docs/{id}:fetch', '/v1/docs/{id}', '/v1/docs', '/v1/{a}/{b}/{c}', '/v1/{p=**}']);
  });
});
