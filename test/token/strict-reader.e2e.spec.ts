/**
 * The strict reader's UTF-8 and buffer reuse on real, validly signed tokens over a real socket (Express and Fastify):
 * only the parse can refuse these tokens, and a token read after a larger one is read to exactly its own bytes.
 */
import { sign } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { claims, makeKey, signJwt } from '../support/keys.js';
import { bootApp, expectClaims, expectFailure, expectNoEcho } from '../verification/verification-kit.js';

const ISSUER = 'https://strict.example.com';
const AUDIENCE = 'strict-audience';
const key = makeKey('RS256', 'strict-1');
const HEADER = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'strict-1', typ: 'JWT' }));

/** A token of exactly these payload bytes, really signed (the reader, not the signature, must refuse a bad one). */
function signPayload(payload: Buffer): string {
  const input = `${HEADER.toString('base64url')}.${payload.toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

/** Valid claims as JSON text with `bytes` spliced into a `name` string claim. */
function payloadWith(bytes: number[]): Buffer {
  const text = JSON.stringify(claims(ISSUER, AUDIENCE, { name: '@' }));
  const [before, after] = text.split('@');
  return Buffer.concat([Buffer.from(before!), Buffer.from(bytes), Buffer.from(after!)]);
}

describe.each(ADAPTERS)('the strict reader on real tokens (%s)', (adapter: AdapterName) => {
  let keys: KeyServer;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    keys = await new KeyServer().jwks('/jwks', [key.jwk]).start();
    // Without the token cache every request is parsed and verified.
    ({ app, url } = await bootApp(adapter, { strict: { issuer: ISSUER, jwksUri: `${keys.url}/jwks`, audiences: AUDIENCE } }, { tokenCache: false }));
  });
  afterAll(async () => {
    await app?.close();
    await keys?.stop();
  });

  it.each([
    ['an overlong "/"', [0xc0, 0xaf]],
    ['a lone high surrogate (CESU-8)', [0xed, 0xa0, 0x80]],
    ['a lone low surrogate', [0xed, 0xbf, 0xbf]],
    ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]],
    ['a truncated sequence', [0xe2, 0x82]],
    ['an invalid byte after a real U+FFFD', [0xef, 0xbf, 0xbd, 0xff]],
  ])('refuses a signed payload with %s as "invalid JSON"', async (_name, bytes) => {
    const token = signPayload(payloadWith(bytes));
    const answer = await call(`${url}/strict`, { headers: bearer(token) });
    expectFailure(answer, `${url}/strict`, { code: 'INVALID_TOKEN', message: 'Jwt payload is an invalid JSON' });
    expectNoEcho(answer, token);
  });

  it('refuses a signed payload that starts with a byte-order mark', async () => {
    const token = signPayload(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(claims(ISSUER, AUDIENCE)))]));
    const answer = await call(`${url}/strict`, { headers: bearer(token) });
    expectFailure(answer, `${url}/strict`, { code: 'INVALID_TOKEN', message: 'Jwt payload is an invalid JSON' });
  });

  it('accepts a real U+FFFD, a four-byte character and U+10FFFF in a claim, frozen as every claim set is', async () => {
    const payload = claims(ISSUER, AUDIENCE, { name: '\uFFFD ☕ 😀 \u{10FFFF}', nested: { list: ['é'] } });
    const answer = await call(`${url}/strict`, { headers: bearer(signJwt(key, payload)) });
    expectClaims(answer, payload);
  });

  it('reads and verifies a large token, then a small one, then a large one again, each to exactly its own claims', async () => {
    // 6,000 characters of claims: past the reader's and the signature check's first buffers (4,096 bytes each).
    const large = (n: number) => claims(ISSUER, AUDIENCE, { pad: String(n).repeat(6000), n });
    for (const payload of [large(7), claims(ISSUER, AUDIENCE, { n: 1 }), large(3), claims(ISSUER, AUDIENCE, { n: 2 })]) {
      const answer = await call(`${url}/strict`, { headers: bearer(signJwt(key, payload)) });
      expectClaims(answer, payload);
    }
  });
});
