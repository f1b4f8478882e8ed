import { describe, expect, it } from 'vitest';
import { parseClaims } from '../../lib/cli/parse-claims.js';
import { UsageError } from '../../lib/cli/usage-error.js';

/** `token --issuer dev --claim name=value`: JSON where the value parses as JSON, the text otherwise. */
describe('parseClaims', () => {
  it('reads JSON values as JSON and anything else as a string', () => {
    expect(
      parseClaims(['email=a@b.c', 'admin=true', 'level=42', 'roles=["a","b"]', 'meta={"k":1}', 'none=null', 'quoted="7"', 'empty=', 'eq=a=b', 'spaced= x ']),
    ).toEqual({ email: 'a@b.c', admin: true, level: 42, roles: ['a', 'b'], meta: { k: 1 }, none: null, quoted: '7', empty: '', eq: 'a=b', spaced: ' x ' });
  });

  it('keeps a claim named __proto__ as a claim', () => {
    const claims = parseClaims(['__proto__={"admin":true}']);
    expect(Object.getPrototypeOf(claims)).toBe(Object.prototype);
    expect(Object.keys(claims)).toEqual(['__proto__']);
    expect(JSON.stringify(claims)).toBe('{"__proto__":{"admin":true}}');
  });

  it('refuses an entry without "=", an empty name and a name given twice, never quoting a value', () => {
    const error = (entries: string[]) => {
      try {
        parseClaims(entries);
      } catch (caught) {
        expect(caught).toBeInstanceOf(UsageError);
        return (caught as Error).message;
      }
      throw new Error('expected a UsageError');
    };
    expect(error(['secret-value'])).toBe('--claim takes name=value (e.g. --claim email=a@b.c); an entry has no "="');
    expect(error(['=secret-value'])).toBe('--claim takes name=value; an entry has an empty name');
    expect(error(['email=a@b.c', 'email=secret-value'])).toBe('--claim "email" is given twice');
  });
});
