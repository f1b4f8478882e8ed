/** ESP's time and audience rules (lib/token/claim-rules.ts) at their boundaries, and the order of lib/token/check-claims.ts. */
import { describe, expect, it } from 'vitest';
import { AuthError } from '../../lib/errors/auth-error.js';
import type { EndpointsProvider } from '../../lib/interfaces/provider.interface.js';
import type { JwtClaims } from '../../lib/interfaces/jwt-claims.interface.js';
import { sanitizeAudience } from '../../lib/token/audience.util.js';
import { checkClaims } from '../../lib/token/check-claims.js';
import { checkAudience, checkTime } from '../../lib/token/claim-rules.js';
import { issuerMatches, requiresIssuedAt } from '../../lib/token/issuer.util.js';
import type { ParsedJwt } from '../../lib/token/parsed-jwt.interface.js';

const NOW = 1_700_000_000;
const ISS = 'https://unit.example.com';
const payload = (claims: Partial<JwtClaims>): JwtClaims => ({ iss: ISS, exp: NOW + 3600, ...claims });

/** The code `run` throws with, or 'ok'. */
function outcome(run: () => void): string {
  try {
    run();
    return 'ok';
  } catch (error) {
    if (!(error instanceof AuthError)) throw error;
    return error.code === 'INVALID_TOKEN' ? `INVALID_TOKEN: ${error.message}` : error.code;
  }
}

describe('checkTime', () => {
  it.each([60, 0, 300])('with %i s of skew accepts now = exp + skew and refuses one second later', (skew) => {
    const exp = NOW - skew;
    expect(outcome(() => checkTime(payload({ exp }), NOW, skew))).toBe('ok');
    expect(outcome(() => checkTime(payload({ exp }), NOW + 1, skew))).toBe('TOKEN_EXPIRED');
    expect(outcome(() => checkTime(payload({ exp: exp - 1 }), NOW, skew))).toBe('TOKEN_EXPIRED');
  });

  it.each([60, 0, 300])('with %i s of skew accepts nbf = now + skew and refuses nbf one second later', (skew) => {
    expect(outcome(() => checkTime(payload({ nbf: NOW + skew }), NOW, skew))).toBe('ok');
    expect(outcome(() => checkTime(payload({ nbf: NOW + skew + 1 }), NOW, skew))).toBe('TOKEN_NOT_YET_VALID');
  });

  it('truncates fractional times as ESPv2 does', () => {
    expect(outcome(() => checkTime(payload({ exp: NOW - 60 + 0.9 }), NOW + 1, 60))).toBe('TOKEN_EXPIRED');
    expect(outcome(() => checkTime(payload({ exp: NOW - 60 + 0.9 }), NOW, 60))).toBe('ok');
    expect(outcome(() => checkTime(payload({ nbf: NOW + 60 + 0.9 }), NOW, 60))).toBe('ok');
  });

  it('requires exp (stricter than ESPv2): absent and 0 are refused as INVALID_TOKEN', () => {
    const message = 'INVALID_TOKEN: Jwt payload [exp] field is required';
    expect(outcome(() => checkTime({ iss: ISS } as JwtClaims, NOW, 60))).toBe(message);
    expect(outcome(() => checkTime(payload({ exp: 0 }), NOW, 60))).toBe(message);
  });

  it('checks nbf before exp', () => {
    expect(outcome(() => checkTime(payload({ nbf: NOW + 600, exp: NOW - 600 }), NOW, 60))).toBe('TOKEN_NOT_YET_VALID');
    expect(outcome(() => checkTime({ iss: ISS, nbf: NOW + 600 } as JwtClaims, NOW, 60))).toBe('TOKEN_NOT_YET_VALID');
  });

  it.each([60, 0, 300])('with %i s of skew accepts iat = now + skew and refuses iat one second later (stricter than ESPv2)', (skew) => {
    expect(outcome(() => checkTime(payload({ iat: NOW + skew }), NOW, skew))).toBe('ok');
    expect(outcome(() => checkTime(payload({ iat: NOW + skew + 1 }), NOW, skew))).toBe('TOKEN_NOT_YET_VALID');
    expect(outcome(() => checkTime(payload({ iat: NOW - 86_400 }), NOW, skew))).toBe('ok');
  });

  it('requires iat only when asked (Google, Firebase and service-account issuers)', () => {
    expect(outcome(() => checkTime(payload({}), NOW, 60))).toBe('ok');
    expect(outcome(() => checkTime(payload({}), NOW, 60, true))).toBe('INVALID_TOKEN: Jwt payload [iat] field is required');
    expect(outcome(() => checkTime(payload({ iat: NOW }), NOW, 60, true))).toBe('ok');
  });
});

describe('issuers', () => {
  it.each([
    ['https://accounts.google.com', 'accounts.google.com', true],
    ['accounts.google.com', 'https://accounts.google.com', true],
    ['https://accounts.google.com', 'https://accounts.google.com/', false],
    ['https://alpha.example.com', 'alpha.example.com', false],
    ['https://alpha.example.com', 'https://alpha.example.com/', false],
    ['https://securetoken.google.com/p', 'securetoken.google.com/p', false],
  ])('a definition of %s takes a token of %s: %s', (issuer, iss, expected) => {
    expect(issuerMatches(iss, issuer)).toBe(expected);
  });

  it('refuses a non-string iss without throwing', () => {
    expect(issuerMatches(undefined, 'https://accounts.google.com')).toBe(false);
    expect(issuerMatches(['accounts.google.com'], 'https://accounts.google.com')).toBe(false);
  });

  it.each([
    ['https://accounts.google.com', true],
    ['accounts.google.com', true],
    ['https://securetoken.google.com/my-project', true],
    ['caller@my-project.iam.gserviceaccount.com', true],
    ['Caller@My-Project.IAM.GServiceAccount.com', true],
    ['https://alpha.example.com', false],
    ['https://my-tenant.auth0.com/', false],
  ])('%s requires iat: %s', (issuer, expected) => {
    expect(requiresIssuedAt(issuer)).toBe(expected);
  });
});

describe('checkAudience', () => {
  const allowed = ['alpha-audience', 'second.example.com'];

  it.each([
    ['alpha-audience', 'ok'],
    ['https://alpha-audience', 'ok'],
    ['http://alpha-audience/', 'ok'],
    ['https://second.example.com/', 'ok'],
    [['other', 'alpha-audience'], 'ok'],
    ['https://alpha-audience//', 'AUDIENCE_NOT_ALLOWED'],
    ['HTTPS://alpha-audience', 'AUDIENCE_NOT_ALLOWED'],
    ['Alpha-Audience', 'AUDIENCE_NOT_ALLOWED'],
    ['ftp://alpha-audience', 'AUDIENCE_NOT_ALLOWED'],
    ['alpha-audience.evil.com', 'AUDIENCE_NOT_ALLOWED'],
    [[], 'AUDIENCE_NOT_ALLOWED'],
    [undefined, 'AUDIENCE_NOT_ALLOWED'],
  ])('aud %j → %s', (aud, expected) => {
    expect(outcome(() => checkAudience(payload({ aud: aud as string | string[] | undefined }), allowed))).toBe(expected);
  });

  it('allows any aud, or none, when the allowed set is empty (service-name check disabled)', () => {
    for (const aud of [undefined, 'x', ['y'], []]) {
      expect(outcome(() => checkAudience(payload({ aud: aud as string | string[] | undefined }), []))).toBe('ok');
    }
  });

  it('sanitises as jwt_verify_lib: one scheme (case-sensitive), then one trailing slash', () => {
    expect(sanitizeAudience('https://a/')).toBe('a');
    expect(sanitizeAudience('http://a')).toBe('a');
    expect(sanitizeAudience('https://a//')).toBe('a/');
    expect(sanitizeAudience('https://http://a')).toBe('http://a');
    expect(sanitizeAudience('Https://a')).toBe('Https://a');
    expect(sanitizeAudience('')).toBe('');
  });

  it('compares in place exactly as against the sanitised value, on the edges of the scheme and the slash', () => {
    const values = ['', '/', '//', 'a', 'a/', 'a//', 'https://', 'http://', 'https:///', 'http:///', 'https://a', 'https://a/', 'https://a//', 'http://a/', 'https://http://a', 'Https://a', 'https:/a', 'ab', 'https://ab/'];
    const sets = [[''], ['a'], ['a/'], ['/'], ['http://a'], ['b', 'a'], ['ab']];
    for (const allowed of sets) {
      for (const aud of values) {
        const expected = allowed.includes(sanitizeAudience(aud)) ? 'ok' : 'AUDIENCE_NOT_ALLOWED';
        expect([allowed, aud, outcome(() => checkAudience(payload({ aud }), allowed))]).toEqual([allowed, aud, expected]);
        expect([allowed, aud, outcome(() => checkAudience(payload({ aud: ['zz', aud] }), allowed))]).toEqual([allowed, aud, expected]);
      }
    }
  });
});

describe('checkClaims order (issuer, time, audience)', () => {
  const provider: EndpointsProvider = { name: 'unit', issuer: ISS, keys: { kind: 'remote', uri: 'https://keys.example.com' }, audiences: ['a'], locations: [], requiresIssuedAt: false };
  const jwt = (claims: Partial<JwtClaims>): ParsedJwt => ({
    raw: '',
    header: { alg: 'RS256' },
    payload: payload({ aud: 'a', ...claims }),
    signingInput: '',
    signature: Buffer.alloc(0),
  });
  const check = (claims: Partial<JwtClaims>) => outcome(() => checkClaims(jwt(claims).payload, provider, 60, NOW));

  it('answers the issuer before the time, and the time before the audience', () => {
    expect(check({})).toBe('ok');
    expect(check({ iss: `${ISS}/`, exp: NOW - 600, aud: 'b' })).toBe('UNKNOWN_ISSUER');
    expect(check({ exp: NOW - 600, aud: 'b' })).toBe('TOKEN_EXPIRED');
    expect(check({ nbf: NOW + 600, aud: 'b' })).toBe('TOKEN_NOT_YET_VALID');
    expect(check({ aud: 'b' })).toBe('AUDIENCE_NOT_ALLOWED');
    expect(check({ iss: undefined })).toBe('UNKNOWN_ISSUER');
    expect(check({ iat: NOW + 600, aud: 'b' })).toBe('TOKEN_NOT_YET_VALID');
  });
});
