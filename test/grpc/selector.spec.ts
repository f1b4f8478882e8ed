/** Selector patterns of a gRPC service configuration (ESP rule R17). */
import { describe, expect, it } from 'vitest';
import { patternMatches, patternSubsumes, selectorPatterns } from '../../lib/api-config/selector.util.js';

describe('selector patterns', () => {
  it.each([
    ['*', 'a.B.C', true],
    ['a.B.*', 'a.B.C', true],
    ['a.*', 'a.B.C', true],
    ['a.B.*', 'a.BC.D', false],
    ['a.B.*', 'a.B', false],
    ['a.B.C', 'a.B.C', true],
    ['a.B.C', 'a.B.CD', false],
    ['a.B.C', 'x.a.B.C', false],
  ])('%s matches %s: %s', (pattern, method, expected) => {
    expect(patternMatches(pattern, method)).toBe(expected);
  });

  it.each([
    ['*', 'a.B.*', true],
    ['a.*', 'a.B.C', true],
    ['a.B.*', 'a.B.*', true],
    ['a.B.*', 'a.BC.D', false],
    ['a.B.*', '*', false],
    ['a.B.C', 'a.B.*', false],
  ])('%s subsumes %s: %s', (later, earlier, expected) => {
    expect(patternSubsumes(later, earlier)).toBe(expected);
  });

  it('accepts the names of an API generated from an OpenAPI document, whose first component is a number', () => {
    expect(selectorPatterns('1.bookstore_endpoints_p_cloud_goog.ListShelves, 1.bookstore_endpoints_p_cloud_goog.*', 'rule', 'spec')).toEqual([
      '1.bookstore_endpoints_p_cloud_goog.ListShelves',
      '1.bookstore_endpoints_p_cloud_goog.*',
    ]);
    expect(() => selectorPatterns('1.bookstore*', 'rule', 'spec')).toThrow('selector pattern "1.bookstore*" is not');
  });
});
