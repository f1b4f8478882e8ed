/**
 * ESP's answers (esp-rules.md R24–R41) over a real socket on Express and Fastify: every error code with its status,
 * message, errorCode and WWW-Authenticate challenge, with real keys served from a key server on 127.0.0.1.
 */
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { claims, makeKey, nowSeconds, signJwt } from '../support/keys.js';
import {
  type Definition,
  type Failure,
  SERVICE,
  bootApp,
  derSignature,
  expectClaims,
  expectFailure,
  expectNoEcho,
  flipBit,
  freePort,
  hmacJwt,
  publicPem,
  segment,
  standardAlphabetSignature,
} from './verification-kit.js';
import { makeCertificates } from '../keys/certificates.js';

const ALPHA = 'https://alpha.example.com';
const BETA = 'beta@project.iam.gserviceaccount.com';
const KEYS = 'https://keys.example.com';

// Keys are made once for the file; each adapter gets its own key server and apps.
const alphaKey = makeKey('RS256', 'alpha-1');
const betaKey = makeKey('ES256', 'beta-1');
const twinA = makeKey('RS256', 'twin-a');
const twinB = makeKey('RS256', 'twin-b');
const psKey = makeKey('PS256', 'ps-1');
const rsOnlyKey = makeKey('PS256', 'rs-only');
const ecKey = makeKey('ES256', 'ec-1');
const weakKey = makeKey('RS256', 'weak-1', { bits: 1024 });
const privateKey = makeKey('RS256', 'private-1');
const encKey = makeKey('RS256', 'enc-1');
const OCT_SECRET = Buffer.from('a shared secret that a remote key set must never yield');

/** The `keys` definition's set: usable keys plus three a remote set must never yield (private, encryption, HMAC). */
const keysJwks = () => [
  twinA.jwk,
  psKey.jwk,
  { ...rsOnlyKey.jwk, alg: 'RS256' },
  ecKey.jwk,
  { ...privateKey.privateKey.export({ format: 'jwk' }), kid: 'private-1', use: 'sig' },
  { ...encKey.jwk, use: 'enc' },
  { kty: 'oct', kid: 'oct-1', k: OCT_SECRET.toString('base64url') },
];

const MESSAGES = {
  sections: 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections',
  verification: 'Jwt verification fails',
  expired: 'Jwt is expired',
  notYetValid: 'Jwt not yet valid',
  issuer: 'Jwt issuer is not configured',
  audience: 'Audiences in Jwt are not allowed',
  noKey: "Jwks doesn't have key to match kid or alg from Jwt",
  fetch: 'Jwks remote fetch is failed',
} as const;

const invalid = (message: string): Failure => ({ code: 'INVALID_TOKEN', message });
const EXPIRED: Failure = { code: 'TOKEN_EXPIRED', message: MESSAGES.expired };
const NOT_YET_VALID: Failure = { code: 'TOKEN_NOT_YET_VALID', message: MESSAGES.notYetValid };
const UNKNOWN_ISSUER: Failure = { code: 'UNKNOWN_ISSUER', message: MESSAGES.issuer };
const AUDIENCE: Failure = { status: 403, code: 'AUDIENCE_NOT_ALLOWED', message: MESSAGES.audience };
const KEY_NOT_FOUND: Failure = { code: 'KEY_NOT_FOUND', message: MESSAGES.noKey };
const KEYS_UNAVAILABLE: Failure = { code: 'KEYS_UNAVAILABLE', message: MESSAGES.fetch };

/** An alpha token (RS256, kid alpha-1) with valid claims for `alpha-audience`; `overrides` change claims. */
const alpha = (overrides: Record<string, unknown> = {}, header: Record<string, unknown> = {}) =>
  signJwt(alphaKey, claims(ALPHA, 'alpha-audience', overrides), header);
/** A beta token (ES256) for the default audience `https://SERVICE`. */
const beta = (overrides: Record<string, unknown> = {}) => signJwt(betaKey, claims(BETA, `https://${SERVICE}`, overrides));
/** A token of the `keys` definition signed by `key`. */
const keysToken = (key: Parameters<typeof signJwt>[0], header: Record<string, unknown> = {}, overrides: Record<string, unknown> = {}) =>
  signJwt(key, claims(KEYS, 'keys-audience', overrides), header);

/** The malformed and forged tokens of INVALID_TOKEN / KEY_NOT_FOUND, each with the answer it must get. */
const REFUSED: [string, () => string, Failure, string?][] = [
  ['two segments', () => alpha().split('.').slice(0, 2).join('.'), invalid(MESSAGES.sections)],
  ['four segments', () => `${alpha()}.${segment({})}`, invalid(MESSAGES.sections)],
  ['an empty signature segment', () => `${alpha().split('.').slice(0, 2).join('.')}.`, invalid(MESSAGES.sections)],
  ['a header that is not base64url', () => `e$J0.${alpha().split('.').slice(1).join('.')}`, invalid('Jwt header is an invalid Base64url encoded')],
  [
    'a header that is not JSON',
    () => `${Buffer.from('{alg: RS256}').toString('base64url')}.${alpha().split('.').slice(1).join('.')}`,
    invalid('Jwt header is an invalid JSON'),
  ],
  ['a header without alg', () => alpha({}, { alg: undefined }), invalid('Jwt header [alg] field is required and must be a string')],
  ['a header with a numeric alg', () => alpha({}, { alg: 256 }), invalid('Jwt header [alg] field is required and must be a string')],
  ['alg none (with a real signature)', () => alpha({}, { alg: 'none' }), invalid('Jwt header [alg] is not supported')],
  ['alg "RS256 " (trailing space)', () => alpha({}, { alg: 'RS256 ' }), invalid('Jwt header [alg] is not supported')],
  ['a numeric kid', () => alpha({}, { kid: 7 }), invalid('Jwt header [kid] field is not a string')],
  ['a crit header', () => alpha({}, { crit: ['exp'] }), invalid('Jwt header [crit] is not supported')],
  [
    'a payload that is not base64url',
    () => {
      const [header, , signature] = alpha().split('.');
      return `${header}.pay*load.${signature}`;
    },
    invalid('Jwt payload is an invalid Base64url encoded'),
  ],
  [
    'a payload that is not JSON',
    () => {
      const [header, , signature] = alpha().split('.');
      return `${header}.${Buffer.from('iss=alpha').toString('base64url')}.${signature}`;
    },
    invalid('Jwt payload is an invalid JSON'),
  ],
  [
    'a payload that is a JSON array',
    () => {
      const [header, , signature] = alpha().split('.');
      return `${header}.${segment([claims(ALPHA, 'alpha-audience')])}.${signature}`;
    },
    invalid('Jwt payload is an invalid JSON'),
  ],
  ['exp as a string', () => alpha({ exp: String(nowSeconds() + 3600) }), invalid('Jwt payload [exp] field is not an integer')],
  ['nbf as a string', () => alpha({ nbf: String(nowSeconds()) }), invalid('Jwt payload [nbf] field is not an integer')],
  ['iat as a string', () => alpha({ iat: String(nowSeconds()) }), invalid('Jwt payload [iat] field is not an integer')],
  ['a negative exp', () => alpha({ exp: -1 }), invalid('Jwt payload [exp] field is not a positive 64 bit integer')],
  ['a numeric aud', () => alpha({ aud: 42 }), invalid('Jwt payload [aud] field is not a string or string list')],
  ['an aud list with a number', () => alpha({ aud: ['alpha-audience', 42] }), invalid('Jwt payload [aud] field is not a string or string list')],
  ['a numeric iss', () => alpha({ iss: 42 }), invalid('Jwt payload [iss] field is not a string')],
  ['a signature with more = padding than its length needs', () => `${alpha()}===`, invalid('Jwt signature is an invalid Base64url encoded')],
  ['a signature in the standard alphabet (+ and /)', () => standardAlphabetSignature((attempt) => alpha({ jti: `std-${attempt}` })), invalid('Jwt signature is an invalid Base64url encoded')],
  ['a bit flipped in the signature', () => flipBit(alpha()), invalid(MESSAGES.verification)],
  ['a signature of another key with the same kid', () => signJwt({ ...twinA, kid: 'alpha-1' }, claims(ALPHA, 'alpha-audience')), invalid(MESSAGES.verification)],
  ['an ES256 signature in DER form', () => derSignature(beta()), invalid(MESSAGES.verification), 'beta'],
  ['no exp (stricter than ESPv2)', () => alpha({ exp: undefined }), invalid('Jwt payload [exp] field is required')],
  ['exp 0 (stricter than ESPv2)', () => alpha({ exp: 0 }), invalid('Jwt payload [exp] field is required')],
  ['an unknown kid', () => alpha({}, { kid: 'alpha-2' }), KEY_NOT_FOUND],
];

describe.each(ADAPTERS)('ESP answers on %s', (adapter: AdapterName) => {
  const keyServer = new KeyServer();
  const apps: INestApplication[] = [];
  let url = '';
  let strictUrl = '';
  let openUrl = '';

  /** A GET of `/<path>` on `base` with `token` as a bearer token (none when undefined). */
  const get = (path: string, token?: string, base = url) =>
    call(`${base}/${path}`, { headers: token === undefined ? {} : bearer(token) });
  const realm = (path: string, base = url) => `${base}/${path}`;

  beforeAll(async () => {
    await keyServer.start();
    const k = keyServer.url;
    keyServer
      .jwks('/alpha', [alphaKey.jwk])
      .jwks('/beta', [betaKey.jwk])
      .jwks('/twins', [twinA.jwk, twinB.jwk])
      .jwks('/keys', keysJwks())
      .jwks('/weak', [ecKey.jwk, weakKey.jwk])
      .jwks('/weakonly', [weakKey.jwk])
      .set('/ks500', { status: 500, body: { error: 'internal' } })
      .set('/kshtml', { body: '<!doctype html><html><body>Sign in</body></html>', contentType: 'text/html' })
      .set('/ksx509', { body: { 'x509-1': makeCertificates().ecP256 } })
      .jwks('/ksempty', [])
      .set('/ksbig', { body: { keys: [{ kty: 'RSA', padding: 'x'.repeat(1100 * 1024) }] } })
      .set('/ksredirect', { status: 302, body: '', contentType: 'text/plain' });
    const base: Record<string, Definition> = {
      alpha: { issuer: ALPHA, jwksUri: `${k}/alpha`, audiences: 'alpha-audience, https://second.example.com/' },
      beta: { issuer: BETA, jwksUri: `${k}/beta` },
    };
    const definitions: Record<string, Definition> = {
      ...base,
      twins: { issuer: 'https://twins.example.com', jwksUri: `${k}/twins`, audiences: 'twins-audience' },
      keys: { issuer: KEYS, jwksUri: `${k}/keys`, audiences: 'keys-audience' },
      weak: { issuer: 'https://weak.example.com', jwksUri: `${k}/weak`, audiences: 'weak-audience' },
      weakonly: { issuer: 'https://weakonly.example.com', jwksUri: `${k}/weakonly`, audiences: 'weak-audience' },
      ks500: { issuer: 'https://ks500.example.com', jwksUri: `${k}/ks500`, audiences: 'ks-audience' },
      kshtml: { issuer: 'https://kshtml.example.com', jwksUri: `${k}/kshtml`, audiences: 'ks-audience' },
      ksx509: { issuer: 'https://ksx509.example.com', jwksUri: `${k}/ksx509`, audiences: 'ks-audience' },
      ksempty: { issuer: 'https://ksempty.example.com', jwksUri: `${k}/ksempty`, audiences: 'ks-audience' },
      ksbig: { issuer: 'https://ksbig.example.com', jwksUri: `${k}/ksbig`, audiences: 'ks-audience' },
      ksredirect: { issuer: 'https://ksredirect.example.com', jwksUri: `${k}/ksredirect`, audiences: 'ks-audience' },
      ksdown: { issuer: 'https://ksdown.example.com', jwksUri: `http://127.0.0.1:${await freePort()}/jwks`, audiences: 'ks-audience' },
    };
    const main = await bootApp(adapter, definitions);
    apps.push(main.app);
    url = main.url;
    const strict = await bootApp(adapter, base, { clockSkewSeconds: 0, maxTokenBytes: 2048 });
    apps.push(strict.app);
    strictUrl = strict.url;
    const open = await bootApp(adapter, base, { disableServiceNameAudienceCheck: true });
    apps.push(open.app);
    openUrl = open.url;
  });
  afterAll(async () => {
    await Promise.all(apps.map((app) => app.close()));
    await keyServer.stop();
  });

  describe('MISSING_TOKEN', () => {
    const MISSING: Failure = { code: 'MISSING_TOKEN', message: 'Jwt is missing' };

    it('answers 401 "Jwt is missing" with a challenge without error= when no token is sent', async () => {
      expectFailure(await get('alpha'), realm('alpha'), MISSING);
    });

    it('leaves the query out of the realm', async () => {
      const response = await call(`${url}/alpha?shelf=1&theme=poetry`);
      expectFailure(response, realm('alpha'), MISSING);
    });

    it('treats a token behind another scheme, or behind "Bearer" without its space, as missing', async () => {
      for (const authorization of [`Basic ${alpha()}`, `Bearer:${alpha()}`, `Bearer${alpha()}`]) {
        expectFailure(await call(`${url}/alpha`, { headers: { authorization } }), realm('alpha'), MISSING);
      }
    });
  });

  describe('INVALID_TOKEN and KEY_NOT_FOUND for malformed and forged tokens', () => {
    it.each(REFUSED)('refuses %s', async (_name, make, failure, path = 'alpha') => {
      const token = make();
      const response = await get(path, token);
      expectFailure(response, realm(path), failure);
      expectNoEcho(response, token);
    });

    it('accepts by default a token of ESPv2\'s long-claims size (11,493 bytes), in the header and in ?access_token=', async () => {
      // base64url turns 3 characters of claims into 4 of token.
      const token = alpha({ padding: 'x'.repeat(Math.floor(((11_493 - Buffer.byteLength(alpha({ padding: '' }))) * 3) / 4)) });
      expect(Math.abs(Buffer.byteLength(token) - 11_493)).toBeLessThan(8);
      expect((await get('alpha', token)).status).toBe(200);
      expect((await call(`${url}/alpha?access_token=${token}`)).status).toBe(200);
    });

    it('refuses a token over maxTokenBytes sent as ?access_token=, leaving the query out of the realm', async () => {
      const token = alpha({ padding: 'x'.repeat(2100) });
      const response = await call(`${strictUrl}/alpha?access_token=${token}`);
      expectFailure(response, realm('alpha', strictUrl), invalid('Jwt is larger than 2048 bytes'));
      expectNoEcho(response, token);
    });

    it('uses the configured maxTokenBytes: 2048 refuses a 2.1 kB token that the default accepts', async () => {
      const token = alpha({ padding: 'x'.repeat(1600) });
      expect(Buffer.byteLength(token)).toBeGreaterThan(2048);
      expectFailure(await get('alpha', token, strictUrl), realm('alpha', strictUrl), invalid('Jwt is larger than 2048 bytes'));
      expect((await get('alpha', token)).status).toBe(200);
    });

    it('refuses an HS256 token MACed with the RSA public key PEM (key confusion)', async () => {
      const token = hmacJwt(publicPem(alphaKey.jwk), claims(ALPHA, 'alpha-audience'), { kid: 'alpha-1' });
      const response = await get('alpha', token);
      // ESPv2 would say "Jwt verification fails" for a key without alg; the library never offers an RSA key for HS*.
      expect(response.status).toBe(401);
      expect(['KEY_NOT_FOUND', 'INVALID_TOKEN']).toContain(response.body.errorCode);
      expectFailure(response, realm('alpha'), response.body.errorCode === 'KEY_NOT_FOUND' ? KEY_NOT_FOUND : invalid(MESSAGES.verification));
      expectNoEcho(response, token);
    });

    it('answers KEY_NOT_FOUND for PS256 against an RSA key whose JWK alg is RS256', async () => {
      const token = keysToken(rsOnlyKey, { kid: 'rs-only' });
      expectFailure(await get('keys', token), realm('keys'), KEY_NOT_FOUND);
      // The same key verifies RS256: only the alg is refused.
      const payload = claims(KEYS, 'keys-audience', { jti: 'rs' });
      expectClaims(await get('keys', signJwt({ ...rsOnlyKey, alg: 'RS256' }, payload)), payload);
    });
  });

  describe('TOKEN_EXPIRED', () => {
    it('refuses a token that expired 10 minutes ago', async () => {
      const token = alpha({ exp: nowSeconds() - 600 });
      const response = await get('alpha', token);
      expectFailure(response, realm('alpha'), EXPIRED);
      expectNoEcho(response, token);
    });

    it('accepts a token that expired 30 s ago (60 s clock skew)', async () => {
      const payload = claims(ALPHA, 'alpha-audience', { exp: nowSeconds() - 30 });
      expectClaims(await get('alpha', signJwt(alphaKey, payload)), payload);
    });

    it('with clockSkewSeconds: 0 refuses a token that expired 30 s ago', async () => {
      expectFailure(await get('alpha', alpha({ exp: nowSeconds() - 30 }), strictUrl), realm('alpha', strictUrl), EXPIRED);
    });

    it('checks time before the signature: expired with a bad signature is "Jwt is expired"', async () => {
      expectFailure(await get('alpha', flipBit(alpha({ exp: nowSeconds() - 600 }))), realm('alpha'), EXPIRED);
    });

    it('checks time before the audience: expired with a wrong audience is 401 expired, not 403', async () => {
      expectFailure(await get('alpha', alpha({ exp: nowSeconds() - 600, aud: 'other' })), realm('alpha'), EXPIRED);
    });

    it('checks nbf before exp: a token both not yet valid and expired is "Jwt not yet valid"', async () => {
      expectFailure(await get('alpha', alpha({ nbf: nowSeconds() + 600, exp: nowSeconds() - 600 })), realm('alpha'), NOT_YET_VALID);
    });
  });

  describe('TOKEN_NOT_YET_VALID', () => {
    it('refuses a token whose nbf is 10 minutes ahead', async () => {
      expectFailure(await get('alpha', alpha({ nbf: nowSeconds() + 600 })), realm('alpha'), NOT_YET_VALID);
    });

    it('accepts a token whose nbf is 30 s ahead (60 s clock skew)', async () => {
      const payload = claims(ALPHA, 'alpha-audience', { nbf: nowSeconds() + 30 });
      expectClaims(await get('alpha', signJwt(alphaKey, payload)), payload);
    });

    it('with clockSkewSeconds: 0 refuses a token whose nbf is 30 s ahead', async () => {
      expectFailure(await get('alpha', alpha({ nbf: nowSeconds() + 30 }), strictUrl), realm('alpha', strictUrl), NOT_YET_VALID);
    });
  });

  describe('UNKNOWN_ISSUER', () => {
    it.each([
      ['a wrong iss', { iss: 'https://evil.example.com' }],
      ['no iss', { iss: undefined }],
      ['iss with a trailing slash (exact match)', { iss: `${ALPHA}/` }],
      ['iss with another scheme', { iss: 'http://alpha.example.com' }],
      ['iss in another case', { iss: 'https://Alpha.example.com' }],
      ['another definition’s issuer', { iss: BETA }],
    ])('refuses %s', async (_name, overrides) => {
      const token = alpha(overrides);
      const response = await get('alpha', token);
      expectFailure(response, realm('alpha'), UNKNOWN_ISSUER);
      expectNoEcho(response, token);
    });

    it('checks the issuer before time: a wrong issuer and expired is "Jwt issuer is not configured"', async () => {
      expectFailure(await get('alpha', alpha({ iss: 'https://evil.example.com', exp: nowSeconds() - 600 })), realm('alpha'), UNKNOWN_ISSUER);
    });
  });

  describe('AUDIENCE_NOT_ALLOWED', () => {
    it.each([
      ['a wrong aud', 'other-audience'],
      ['no aud', undefined],
      ['an empty aud list', []],
      ['a list without an allowed value', ['one', 'two']],
      ['an aud with two trailing slashes (only one is stripped)', 'https://alpha-audience//'],
      ['an aud in another case', 'Alpha-Audience'],
      ['the service name (alpha lists its own audiences)', `https://${SERVICE}`],
    ])('answers 403 for %s', async (_name, aud) => {
      const token = alpha({ aud });
      const response = await get('alpha', token);
      expectFailure(response, realm('alpha'), AUDIENCE);
      expectNoEcho(response, token);
    });

    it.each([
      ['https://alpha-audience/ for the configured alpha-audience', 'https://alpha-audience/'],
      ['http://alpha-audience', 'http://alpha-audience'],
      ['second.example.com for the configured https://second.example.com/', 'second.example.com'],
      ['a list that contains an allowed value', ['unrelated', 'alpha-audience']],
    ])('accepts %s (sanitised)', async (_name, aud) => {
      const payload = claims(ALPHA, aud);
      expectClaims(await get('alpha', signJwt(alphaKey, payload)), payload);
    });

    it('gives a definition without x-google-audiences the default audience https://<host>', async () => {
      for (const aud of [`https://${SERVICE}`, SERVICE, `https://${SERVICE}/`]) {
        const payload = claims(BETA, aud);
        expectClaims(await get('beta', signJwt(betaKey, payload)), payload);
      }
      expectFailure(await get('beta', beta({ aud: 'alpha-audience' })), realm('beta'), AUDIENCE);
      expectFailure(await get('beta', beta({ aud: undefined })), realm('beta'), AUDIENCE);
      expectFailure(await get('beta', beta({ aud: `https://other.${SERVICE}` })), realm('beta'), AUDIENCE);
    });

    it('with disableServiceNameAudienceCheck accepts any aud, or none, for a definition without audiences', async () => {
      for (const aud of ['anything', undefined, ['a', 'b']]) {
        const payload = claims(BETA, 'x', { aud });
        expectClaims(await get('beta', signJwt(betaKey, payload), openUrl), payload);
      }
      // A definition that lists audiences still checks them.
      expectFailure(await get('alpha', alpha({ aud: 'anything' }), openUrl), realm('alpha', openUrl), AUDIENCE);
    });
  });

  describe('KEY_NOT_FOUND', () => {
    it('refuses an RS256 token whose kid names an EC key', async () => {
      const token = keysToken(twinA, { kid: 'ec-1' });
      expectFailure(await get('keys', token), realm('keys'), KEY_NOT_FOUND);
    });

    it('refuses a token signed by a set’s only RSA key when that key has 1024 bits', async () => {
      const payload = claims('https://weak.example.com', 'weak-audience');
      expectFailure(await get('weak', signJwt(weakKey, payload)), realm('weak'), KEY_NOT_FOUND);
      expectFailure(await get('weak', signJwt(weakKey, payload, { kid: undefined })), realm('weak'), KEY_NOT_FOUND);
      // The EC key of the same set works, so the set itself was fetched.
      const ec = claims('https://weak.example.com', 'weak-audience', { jti: 'ec' });
      expectClaims(await get('weak', signJwt(ecKey, ec)), ec);
    });

    it('skips private (d), encryption (use: enc) and symmetric (kty: oct) keys of the set', async () => {
      const priv = keysToken(privateKey, { kid: 'private-1' });
      const enc = keysToken(encKey, { kid: 'enc-1' });
      const oct = hmacJwt(OCT_SECRET, claims(KEYS, 'keys-audience'), { kid: 'oct-1' });
      for (const token of [priv, enc, oct]) {
        const response = await get('keys', token);
        expectFailure(response, realm('keys'), KEY_NOT_FOUND);
        expectNoEcho(response, token);
      }
    });
  });

  describe('a fetched set without a usable key', () => {
    it('answers KEYS_UNAVAILABLE when the set’s only key is RSA-1024 (ESPv2: a set without a usable key is a failed fetch)', async () => {
      const sent = () => signJwt(weakKey, claims('https://weakonly.example.com', 'weak-audience'));
      expectFailure(await get('weakonly', sent()), realm('weakonly'), KEYS_UNAVAILABLE);
      const fetched = keyServer.count('/weakonly');
      expectFailure(await get('weakonly', sent()), realm('weakonly'), KEYS_UNAVAILABLE);
      expect(keyServer.count('/weakonly')).toBe(fetched); // the retry waits for its backoff
    });
  });

  describe('KEYS_UNAVAILABLE', () => {
    const token = (definition: string) =>
      signJwt(twinA, claims(`https://${definition}.example.com`, 'ks-audience'));

    it.each([
      ['answers 500', 'ks500'],
      ['answers HTML', 'kshtml'],
      ['serves an X.509 certificate map holding a non-RSA certificate', 'ksx509'],
      ['sends a body over 1 MiB', 'ksbig'],
      ['answers a redirect (never followed)', 'ksredirect'],
      ['is not listening', 'ksdown'],
    ])('answers 401 "Jwks remote fetch is failed" when the key server %s', async (_name, definition) => {
      const sent = token(definition);
      const response = await get(definition, sent);
      expectFailure(response, realm(definition), KEYS_UNAVAILABLE);
      expectNoEcho(response, sent);
      if (definition !== 'ksdown') expect(keyServer.count(`/${definition}`)).toBeGreaterThan(0);
    });

    it('answers 401 "Jwks remote fetch is failed" for a JWKS with an empty key list', async () => {
      const response = await get('ksempty', token('ksempty'));
      expectFailure(response, realm('ksempty'), KEYS_UNAVAILABLE);
    });
  });

  describe('keys that verify', () => {
    it('finds the right key for a token without kid in a set of two', async () => {
      for (const key of [twinB, twinA]) {
        const payload = claims('https://twins.example.com', 'twins-audience', { signer: key.kid });
        expectClaims(await get('twins', signJwt(key, payload, { kid: undefined })), payload);
      }
      const stranger = signJwt(alphaKey, claims('https://twins.example.com', 'twins-audience'), { kid: undefined });
      expectFailure(await get('twins', stranger), realm('twins'), invalid(MESSAGES.verification));
    });

    it('verifies ES256', async () => {
      const payload = claims(BETA, `https://${SERVICE}`);
      expectClaims(await get('beta', signJwt(betaKey, payload)), payload);
    });

    it('verifies PS256 with an RSA key that has no alg, with and without kid', async () => {
      expect(psKey.jwk['alg']).toBeUndefined();
      const payload = claims(KEYS, 'keys-audience', { scheme: 'pss' });
      expectClaims(await get('keys', signJwt(psKey, payload)), payload);
      expectClaims(await get('keys', signJwt(psKey, payload, { kid: undefined })), payload);
    });

    it('puts the whole payload, custom claims included, on request.user and @UserInfo()', async () => {
      const payload = claims(ALPHA, ['alpha-audience', 'x'], {
        email: 'reader@example.com',
        email_verified: true,
        roles: ['reader', 'writer'],
        org: { id: 7, name: 'Bücherei ☕' },
        nbf: nowSeconds() - 5,
        jti: 'claims-1',
      });
      const response = await get('alpha', signJwt(alphaKey, payload));
      expectClaims(response, payload);
      expect(Object.keys(response.body.user).sort()).toEqual(Object.keys(payload).sort());
    });

    it('never echoes a token sent as ?access_token= in the realm or the body', async () => {
      const token = flipBit(alpha());
      const response = await call(`${url}/alpha?access_token=${token}`);
      expectFailure(response, realm('alpha'), invalid(MESSAGES.verification));
      expectNoEcho(response, token);
    });
  });
});

