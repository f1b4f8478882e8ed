/**
 * `IdTokenExchangeSource` against a fake token endpoint on 127.0.0.1: the form it posts (JWT-bearer grant), the
 * assertion it signs (RS256 by the account's key, `target_audience`, `aud` = the endpoint), the ID token cached and
 * fetched once for concurrent callers, and the OAuth error answers spelled out.
 */
import { createPublicKey, verify } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GOOGLE_TOKEN_ENDPOINT, IdTokenExchangeSource, readServiceAccountKey } from '../../lib/index.js';
import { makeKey, nowSeconds, signJwt } from '../support/keys.js';
import { decodeJwt, makeAccount } from './client-kit.js';
import { type SeenRequest, TokenServer } from './token-server.js';

const AUDIENCE = 'https://shelves-abcdefghij-uc.a.run.app';
const account = makeAccount();
const google = makeKey('RS256', 'google-key');

/** Google's answer: an ID token for the assertion's target_audience, 20 ms late so concurrent callers overlap. */
const answerIdToken = (request: SeenRequest, response: ServerResponse) => {
  const assertion = new URLSearchParams(request.body).get('assertion') ?? '';
  const target = decodeJwt(assertion).payload.target_audience;
  const idToken = signJwt(google, { iss: 'https://accounts.google.com', aud: target, email: account.email, iat: nowSeconds(), exp: nowSeconds() + 3600 });
  setTimeout(() => response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id_token: idToken })), 20);
};

const endpoint = new TokenServer(answerIdToken);
const tokenEndpoint = () => `http://${endpoint.host}/token`;

describe('IdTokenExchangeSource', () => {
  beforeAll(() => endpoint.start());
  afterAll(() => endpoint.stop());
  afterEach(() => {
    endpoint.requests.length = 0;
    endpoint.answerWith(answerIdToken);
  });

  it('posts a JWT-bearer grant whose assertion is an RS256 JWT of the account with target_audience', async () => {
    const token = await new IdTokenExchangeSource(account.keyFile, { tokenEndpoint: tokenEndpoint() }).getToken(AUDIENCE);
    expect(decodeJwt(token).payload).toMatchObject({ aud: AUDIENCE, iss: 'https://accounts.google.com' });

    expect(endpoint.requests).toHaveLength(1);
    const [seen] = endpoint.requests;
    expect(seen!.method).toBe('POST');
    expect(seen!.url).toBe('/token');
    expect(seen!.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    const form = new URLSearchParams(seen!.body);
    expect([...form.keys()].sort()).toEqual(['assertion', 'grant_type']);
    expect(form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');

    const assertion = form.get('assertion')!;
    const { header, payload } = decodeJwt(assertion);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: account.keyId });
    expect(payload).toMatchObject({ iss: account.email, sub: account.email, aud: tokenEndpoint(), target_audience: AUDIENCE });
    expect(payload.exp - payload.iat).toBe(3600);
    const [input, signature] = [assertion.slice(0, assertion.lastIndexOf('.')), assertion.split('.')[2]!];
    const publicKey = createPublicKey(account.certificate);
    expect(verify('sha256', Buffer.from(input), publicKey, Buffer.from(signature, 'base64url'))).toBe(true);
  });

  it('exchanges once for 50 concurrent cold callers, then serves the cached token', async () => {
    const source = new IdTokenExchangeSource(readServiceAccountKey(account.keyFile), { tokenEndpoint: tokenEndpoint() });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => source.getToken(AUDIENCE)));
    expect(new Set(tokens).size).toBe(1);
    expect(await source.getToken(AUDIENCE)).toBe(tokens[0]);
    expect(endpoint.requests).toHaveLength(1);
  });

  it('posts to the key file’s token_uri when no endpoint is given, else to Google’s', () => {
    const fromFile = new IdTokenExchangeSource({ ...account.keyFile, token_uri: tokenEndpoint() });
    expect(fromFile.tokenEndpoint).toBe(tokenEndpoint());
    const { token_uri: _omitted, ...withoutUri } = account.keyFile;
    expect(new IdTokenExchangeSource(withoutUri).tokenEndpoint).toBe(GOOGLE_TOKEN_ENDPOINT);
  });

  it('spells out an OAuth error answer, without retrying it', async () => {
    endpoint.answerWith((_request, response) =>
      response.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' })),
    );
    await expect(new IdTokenExchangeSource(account.keyFile, { tokenEndpoint: tokenEndpoint() }).getToken(AUDIENCE)).rejects.toThrow(
      `the token endpoint ${tokenEndpoint()} answered HTTP 400: invalid_grant (Invalid JWT Signature.) for service account ${account.email}`,
    );
    expect(endpoint.requests).toHaveLength(1);
  });

  it('refuses a 200 without id_token (an access token instead), and retries a 502', async () => {
    endpoint.answerWith((_request, response) => response.writeHead(200).end(JSON.stringify({ access_token: 'ya29.x', token_type: 'Bearer' })));
    await expect(new IdTokenExchangeSource(account.keyFile, { tokenEndpoint: tokenEndpoint() }).getToken(AUDIENCE)).rejects.toThrow(
      `answered HTTP 200 without "id_token"`,
    );
    let failures = 1;
    endpoint.answerWith((request, response) => (failures-- > 0 ? response.writeHead(502).end() : answerIdToken(request, response)));
    endpoint.requests.length = 0;
    await new IdTokenExchangeSource(account.keyFile, { tokenEndpoint: tokenEndpoint(), backoffMs: 10 }).getToken(AUDIENCE);
    expect(endpoint.requests).toHaveLength(2);
  });
});
