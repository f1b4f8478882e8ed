/**
 * The shapes issue 18's reader now finds by indexOf and reads into its reused buffer, pinned on a real, validly
 * signed token over a real socket (Express and Fastify): the dot rules, the signature-removed marker, padding on the
 * signature, an empty or array payload, `__proto__` spelled through escapes, non-ASCII and lone surrogates where the
 * token's characters should be, and `maxTokenBytes` at its edge in characters and in UTF-8 bytes.
 */
import { sign } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { claims, makeKey, signJwt } from '../support/keys.js';
import { bootApp, expectClaims, expectFailure, expectNoEcho } from '../verification/verification-kit.js';

const ISSUER = 'https://shapes.review18.example.com';
const AUDIENCE = 'shapes';
const key = makeKey('RS256', 'shapes-1');
const DOTS = 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections';

/** A token over exactly this payload text, really signed: only the reader can refuse it. */
function signedText(payload: string): string {
  const input = `${Buffer.from(JSON.stringify({ alg: 'RS256', kid: key.kid })).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

describe.each(ADAPTERS)('token shapes through the issue 18 reader (%s)', (adapter: AdapterName) => {
  let keys: KeyServer;
  let app: INestApplication;
  let url: string;
  const payload = claims(ISSUER, AUDIENCE, { name: 'shape' });
  const token = signJwt(key, payload);
  const [h, p, s] = token.split('.') as [string, string, string];

  beforeAll(async () => {
    keys = await new KeyServer().jwks('/jwks', [key.jwk]).start();
    ({ app, url } = await bootApp(adapter, { shapes: { issuer: ISSUER, jwksUri: `${keys.url}/jwks`, audiences: AUDIENCE } }, { tokenCache: false }));
  });
  afterAll(async () => {
    await app?.close();
    await keys?.stop();
  });

  const refused = async (headers: Record<string, string>, message: string, query = '') => {
    const answer = await call(`${url}/shapes${query}`, { headers });
    expectFailure(answer, `${url}/shapes`, { code: 'INVALID_TOKEN', message });
    expectNoEcho(answer, token);
  };

  it('accepts the token itself, and its signature with the padding its length needs', async () => {
    expectClaims(await call(`${url}/shapes`, { headers: bearer(token) }), payload);
    // 256 bytes encode to 342 characters, which two `=` complete (absl's WebSafeBase64Unescape accepts them).
    expect(s.length % 4).toBe(2);
    expectClaims(await call(`${url}/shapes?access_token=${token}%3D%3D`), payload);
  });

  it.each([
    ['an empty payload segment (a..b)', () => `${h}..${s}`],
    ['an empty header segment (.a.b)', () => `.${p}.${s}`],
    ['an empty signature segment (a.b.)', () => `${h}.${p}.`],
    ['a trailing dot (a.b.c., which jwt_verify_lib would let through)', () => `${token}.`],
    ['four segments', () => `${token}.${s}`],
    ['two segments', () => `${h}.${p}`],
  ])('refuses %s by its dots', async (_name, make) => {
    await refused(bearer(make()), DOTS);
  });

  it('refuses the signature-removed marker with its own message, and wrong padding on the signature', async () => {
    await refused(bearer(`${h}.${p}.SIGNATURE_REMOVED_BY_GOOGLE`), 'Jwt signature was removed by Google (Cloud Run checked this token with IAM)');
    await refused({}, 'Jwt signature is an invalid Base64url encoded', `?access_token=${token}%3D`);
    await refused({}, 'Jwt signature is an invalid Base64url encoded', `?access_token=${token}%3D%3D%3D`);
  });

  it('refuses signed payloads that are an array, or spell __proto__ through escapes; an empty object has no issuer', async () => {
    await refused(bearer(signedText('[]')), 'Jwt payload is an invalid JSON');
    for (const spelling of ['\\u005f_proto__', '__pro\\u0074o__', '\\u005F\\u005Fproto\\u005F\\u005F']) {
      const text = JSON.stringify(payload).replace('{', `{"${spelling}":{"admin":true},`);
      await refused(bearer(signedText(text)), 'Jwt payload is an invalid JSON');
    }
    const answer = await call(`${url}/shapes`, { headers: bearer(signedText('{}')) });
    expectFailure(answer, `${url}/shapes`, { code: 'UNKNOWN_ISSUER', message: 'Jwt issuer is not configured' });
  });

  it('refuses non-ASCII where base64url characters belong: Latin-1 in a header, U+FFFD and surrogate pairs from a query', async () => {
    await refused({ authorization: `Bearer ${h.slice(0, 8)}\u00e9${h.slice(8)}.${p}.${s}` }, 'Jwt header is an invalid Base64url encoded');
    // A lone surrogate's UTF-8 (ED A0 80) is percent-decoded to U+FFFD; an emoji to a surrogate pair.
    await refused({}, 'Jwt header is an invalid Base64url encoded', `?access_token=${h.slice(0, 4)}%ED%A0%80${h.slice(4)}.${p}.${s}`);
    await refused({}, 'Jwt payload is an invalid Base64url encoded', `?access_token=${h}.${p.slice(0, 5)}%F0%9F%98%80${p.slice(5)}.${s}`);
    await refused({}, 'Jwt signature is an invalid Base64url encoded', `?access_token=${h}.${p}.${s.slice(0, 5)}%F0%9F%98%80${s.slice(5)}`);
  });

  it('counts maxTokenBytes in UTF-8 bytes: a token of exactly the bound is read, one byte more is refused first', async () => {
    const bound = token.length;
    const { app: small, url: smallUrl } = await bootApp(
      adapter,
      { shapes: { issuer: ISSUER, jwksUri: `${keys.url}/jwks`, audiences: AUDIENCE } },
      { tokenCache: false, maxTokenBytes: bound },
    );
    try {
      expectClaims(await call(`${smallUrl}/shapes`, { headers: bearer(token) }), payload);
      const tooLarge = `Jwt is larger than ${bound} bytes`;
      for (const query of [`${token}A`, `${token.slice(0, -1)}%C3%A9`]) {
        // The second has as many characters as the bound, but `é` takes two bytes.
        const answer = await call(`${smallUrl}/shapes?access_token=${query}`);
        expectFailure(answer, `${smallUrl}/shapes`, { code: 'INVALID_TOKEN', message: tooLarge });
      }
      // One character fewer than the bound: read, and refused by the signature's own check.
      const answer = await call(`${smallUrl}/shapes?access_token=${token.slice(0, -2)}%C3%A9`);
      expectFailure(answer, `${smallUrl}/shapes`, { code: 'INVALID_TOKEN', message: 'Jwt signature is an invalid Base64url encoded' });
    } finally {
      await small.close();
    }
  });
});
