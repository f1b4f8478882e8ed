/**
 * `@Secured`'s options are checked when the decorator runs, before the app starts: an unknown option or a malformed
 * `scopes` / `claims` is a TypeError that says what is wrong; a good one compiles to the check the guard runs.
 */
import { describe, expect, it } from 'vitest';
import { claimAt, claimPathOf } from '../../lib/authorization/claim-path.js';
import { scopesOf } from '../../lib/authorization/scopes-of.util.js';
import { SECURED_KEY } from '../../lib/endpoints-auth.constants.js';
import { Secured, type SecurityRequirement, type JwtClaims } from '../../lib/index.js';

const base: JwtClaims = { iss: 'https://issuer.example.com', exp: 2_000_000_000 };

/** The requirement `@Secured(...args)` writes on a class. */
function requirementOf(...args: Parameters<typeof Secured>): SecurityRequirement {
  class Target {}
  Secured(...args)(Target);
  return Reflect.getMetadata(SECURED_KEY, Target) as SecurityRequirement;
}

describe('@Secured options at decoration', () => {
  it.each([
    ['an unknown option', { scope: ['read'] }, '@Secured() has no option "scope"; its options are optional, scopes and claims'],
    ['a non-boolean optional', { optional: 'yes' }, '@Secured() optional must be true or false'],
    ['scopes as a string', { scopes: 'read:shelves' }, '@Secured() scopes must be a non-empty array of scope names'],
    ['an empty scopes list', { scopes: [] }, '@Secured() scopes must be a non-empty array of scope names'],
    ['an empty scope', { scopes: [''] }, '@Secured() scopes: "" is not a scope name'],
    ['a scope with a space', { scopes: ['read write'] }, '@Secured() scopes: "read write" is not a scope name'],
    ['a scope with a quote', { scopes: ['read"'] }, 'is not a scope name'],
    ['a scope that is not a string', { scopes: [7] }, '@Secured() scopes: 7 is not a scope name'],
    ['claims as an array', { claims: [['email_verified', true]] }, '@Secured() claims must be a non-empty object'],
    ['claims as a Map', { claims: new Map([['email_verified', true]]) }, '@Secured() claims must be a non-empty object'],
    ['an empty claims object', { claims: {} }, '@Secured() claims must be a non-empty object'],
    ['claims as null', { claims: null }, '@Secured() claims must be a non-empty object'],
    ['an object value', { claims: { firebase: { tenant: 't' } } }, '@Secured() claims: "firebase" must be a string, a finite number or a boolean'],
    ['a null value', { claims: { email: null } }, '@Secured() claims: "email" must be a string'],
    ['a NaN value', { claims: { tier: Number.NaN } }, '@Secured() claims: "tier" must be a string'],
    ['an array value', { claims: { roles: ['admin'] } }, '@Secured() claims: "roles" must be a string'],
    ['an empty path segment', { claims: { 'firebase..tenant': 't' } }, '@Secured() claims: "firebase..tenant" has an empty path segment'],
    ['a trailing dot', { claims: { 'firebase.': 't' } }, 'has an empty path segment'],
  ])('throws a TypeError for %s', (_case, options, message) => {
    expect(() => Secured('alpha', options as never)).toThrow(TypeError);
    expect(() => Secured('alpha', options as never)).toThrow(message);
  });

  it('throws a TypeError when the options object is not last', () => {
    expect(() => Secured('alpha', { scopes: ['read'] } as never, 'beta')).toThrow('then its options object last');
  });

  it('compiles no check when neither scopes nor claims are given', () => {
    expect(requirementOf('alpha', { optional: true })).toEqual({ providers: ['alpha'], optional: true });
    expect(requirementOf('alpha')).toEqual({ providers: ['alpha'], optional: false });
  });

  it('compiles the scopes (deduplicated) and claims of the options, for every named definition', () => {
    const requirement = requirementOf('alpha', 'beta', { scopes: ['read', 'read', 'write'], claims: { 'firebase.tenant': 't1' } });
    expect(requirement.providers).toEqual(['alpha', 'beta']);
    expect(requirement.authorization?.scopes).toEqual(['read', 'write']);
    const check = requirement.authorization!;
    expect(check.refusalOf({ ...base, scope: 'read write', firebase: { tenant: 't1' } })).toBeUndefined();
    expect(check.refusalOf({ ...base, scope: 'read', firebase: { tenant: 't1' } })?.code).toBe('INSUFFICIENT_SCOPE');
    // Scopes are judged first: a token failing both is INSUFFICIENT_SCOPE.
    expect(check.refusalOf({ ...base, scope: 'read' })?.code).toBe('INSUFFICIENT_SCOPE');
    expect(check.refusalOf({ ...base, scope: 'read write', firebase: { tenant: 't2' } })?.code).toBe('CLAIMS_NOT_ALLOWED');
    expect(check.refusalOf({ ...base, scope: 'read write', firebase: { tenant: 't2' } })?.status).toBe(403);
  });
});

describe('scopesOf', () => {
  it('reads scope and scp, strings split on spaces and arrays of strings, as whole words', () => {
    expect([...scopesOf({ ...base, scope: ' a  b ' })]).toEqual(['a', 'b']);
    expect([...scopesOf({ ...base, scp: ['a', 'b c', 3, null] })]).toEqual(['a', 'b c']);
    expect([...scopesOf({ ...base, scp: 'a b' })]).toEqual(['a', 'b']);
    expect([...scopesOf({ ...base, scope: 'a', scp: ['b'] })]).toEqual(['a', 'b']);
    expect([...scopesOf({ ...base, scope: { a: true } })]).toEqual([]);
    expect([...scopesOf(base)]).toEqual([]);
  });
});

describe('claimAt', () => {
  it('reaches nested claims by own properties only, and prefers a top-level claim spelt with the dots', () => {
    const claims = JSON.parse(
      '{"iss":"i","exp":1,"firebase":{"sign_in_provider":"password","identities":["x"]},"https://example.com/tier":2,"a.b":"top","a":{"b":"nested"}}',
    ) as JwtClaims;
    expect(claimAt(claims, claimPathOf('firebase.sign_in_provider'))).toBe('password');
    expect(claimAt(claims, claimPathOf('https://example.com/tier'))).toBe(2);
    expect(claimAt(claims, claimPathOf('a.b'))).toBe('top');
    expect(claimAt(claims, claimPathOf('firebase.missing'))).toBeUndefined();
    expect(claimAt(claims, claimPathOf('firebase.identities.length'))).toBeUndefined();
    expect(claimAt(claims, claimPathOf('firebase.constructor.name'))).toBeUndefined();
    expect(claimAt(claims, claimPathOf('iss.length'))).toBeUndefined();
    expect(claimAt(claims, claimPathOf('toString'))).toBeUndefined();
  });
});
