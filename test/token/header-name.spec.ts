/** `isHeaderName` compares a header name as HTTP does (ASCII letters in any case) without lower-casing either side. */
import { describe, expect, it } from 'vitest';
import { isHeaderName } from '../../lib/token/header-values.util.js';

describe('isHeaderName', () => {
  it.each([
    ['authorization', 'authorization'],
    ['Authorization', 'authorization'],
    ['AUTHORIZATION', 'Authorization'],
    ['x-goog-iap-jwt-assertion', 'X-Goog-Iap-Jwt-Assertion'],
    ['X_Y-1', 'x_y-1'],
  ])('%j is %j', (header, name) => {
    expect(isHeaderName(header, name)).toBe(true);
  });

  it.each([
    ['authorizatio', 'authorization'],
    ['authorizations', 'authorization'],
    ['authorisation', 'authorization'],
    // Characters one bit 0x20 apart that are not letters: @ and `, [ and {, - and \r.
    ['@', '`'],
    ['[', '{'],
    ['x-a', 'x\ra'],
    // The Kelvin sign lower-cases to k in Unicode; a header name is ASCII.
    ['\u212A', 'k'],
  ])('%j is not %j', (header, name) => {
    expect(isHeaderName(header, name)).toBe(false);
  });
});
