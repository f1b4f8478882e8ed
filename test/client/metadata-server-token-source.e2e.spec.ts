/**
 * `MetadataServerTokenSource` against a fake metadata server on 127.0.0.1 (as GCE_METADATA_HOST points it on a
 * developer machine): the request Google documents, one request for 50 concurrent cold callers (google-auth-library
 * makes 50), refresh before `exp`, retry after a 503, and a clear error, not a hang, when nothing listens.
 */
import type { ServerResponse } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { MetadataServerTokenSource } from '../../lib/index.js';
import { makeKey, nowSeconds, signJwt } from '../support/keys.js';
import { type SeenRequest, TokenServer, closedPort } from './token-server.js';

const AUDIENCE = 'https://shelves-abcdefghij-uc.a.run.app/path?x=1&y=two words';
const google = makeKey('RS256', 'google-key');
let lifetimeSeconds = 3600;

/** A Google-style ID token for the audience the request asked for. */
const idToken = (request: SeenRequest) =>
  signJwt(google, {
    iss: 'https://accounts.google.com',
    aud: new URL(request.url, 'http://x').searchParams.get('audience'),
    sub: '1234567890',
    iat: nowSeconds(),
    exp: nowSeconds() + lifetimeSeconds,
    n: Math.random(),
  });

/** The metadata server's answer, 20 ms late so concurrent callers overlap. */
const answerToken = (request: SeenRequest, response: ServerResponse) =>
  setTimeout(() => response.writeHead(200, { 'metadata-flavor': 'Google', 'content-type': 'application/text' }).end(idToken(request)), 20);

const metadata = new TokenServer(answerToken);

describe('MetadataServerTokenSource', () => {
  beforeAll(() => metadata.start());
  afterAll(() => metadata.stop());
  afterEach(() => {
    metadata.requests.length = 0;
    lifetimeSeconds = 3600;
    metadata.answerWith(answerToken);
  });

  it('asks for the identity with the URL-encoded audience, format=full and Metadata-Flavor: Google', async () => {
    const token = await new MetadataServerTokenSource({ host: metadata.host }).getToken(AUDIENCE);
    expect(metadata.requests).toHaveLength(1);
    const [seen] = metadata.requests;
    expect(seen!.method).toBe('GET');
    expect(seen!.url).toBe(
      `/computeMetadata/v1/instance/service-accounts/default/identity?audience=${encodeURIComponent(AUDIENCE)}&format=full`,
    );
    expect(seen!.headers['metadata-flavor']).toBe('Google');
    expect(JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()).aud).toBe(AUDIENCE);
  });

  it('makes one request for 50 concurrent cold callers, and none for 50 warm ones', async () => {
    const source = new MetadataServerTokenSource({ host: metadata.host });
    const tokens = await Promise.all(Array.from({ length: 50 }, () => source.getToken(AUDIENCE)));
    expect(metadata.requests).toHaveLength(1);
    expect(new Set(tokens).size).toBe(1);
    for (let i = 0; i < 50; i++) expect(await source.getToken(AUDIENCE)).toBe(tokens[0]);
    expect(metadata.requests).toHaveLength(1);
    await source.getToken('https://another.example.com');
    expect(metadata.requests).toHaveLength(2);
  });

  it('reads GCE_METADATA_HOST when no host is given, and defaults to metadata.google.internal', () => {
    const saved = process.env.GCE_METADATA_HOST;
    try {
      process.env.GCE_METADATA_HOST = metadata.host;
      expect(new MetadataServerTokenSource().host).toBe(metadata.host);
      delete process.env.GCE_METADATA_HOST;
      expect(new MetadataServerTokenSource().host).toBe('metadata.google.internal');
    } finally {
      if (saved === undefined) delete process.env.GCE_METADATA_HOST;
      else process.env.GCE_METADATA_HOST = saved;
    }
  });

  it('refreshes before exp: the old token serves while one background request fetches the next', { timeout: 120_000 }, async () => {
    // A 60-second token is used for half its life (the 5-minute margin is longer than the token). The half is skipped,
    // not waited for: Date.now runs ahead by `skipped` for the source and the fake server alike.
    lifetimeSeconds = 60;
    const realNow = Date.now.bind(Date);
    let skipped = 0;
    const clock = vi.spyOn(Date, 'now').mockImplementation(() => realNow() + skipped);
    try {
      const source = new MetadataServerTokenSource({ host: metadata.host });
      const first = await source.getToken(AUDIENCE);
      expect(await source.getToken(AUDIENCE)).toBe(first);
      skipped = 30_000;
      // In the refresh window, before exp: the valid token comes back at once, and one refresh starts.
      const during = await Promise.all(Array.from({ length: 10 }, () => source.getToken(AUDIENCE)));
      expect(new Set(during)).toEqual(new Set([first]));
      await vi.waitFor(() => expect(metadata.requests).toHaveLength(2), { timeout: 60_000, interval: 20 });
      // Until the refresh lands the old token is served (starting no other request); then the new one.
      await vi.waitFor(async () => expect(await source.getToken(AUDIENCE)).not.toBe(first), { timeout: 60_000, interval: 20 });
      expect(metadata.requests).toHaveLength(2);
    } finally {
      clock.mockRestore();
    }
  });

  it('retries after a 503 with backoff, and gives up after the attempts with the status', async () => {
    let failures = 1;
    metadata.answerWith((request, response) => {
      if (failures-- > 0) return void response.writeHead(503, { 'metadata-flavor': 'Google' }).end('busy');
      response.writeHead(200, { 'metadata-flavor': 'Google' }).end(idToken(request));
    });
    await new MetadataServerTokenSource({ host: metadata.host, backoffMs: 10 }).getToken(AUDIENCE);
    expect(metadata.requests).toHaveLength(2);

    failures = 10;
    metadata.requests.length = 0;
    await expect(new MetadataServerTokenSource({ host: metadata.host, backoffMs: 10 }).getToken(AUDIENCE)).rejects.toThrow(
      `no ID token from the metadata server at ${metadata.host}: HTTP 503 (after 3 tries)`,
    );
    expect(metadata.requests).toHaveLength(3);
  });

  it('does not retry a 404, and says what answered', async () => {
    metadata.answerWith((_request, response) => response.writeHead(404, { 'metadata-flavor': 'Google' }).end('no such account'));
    await expect(new MetadataServerTokenSource({ host: metadata.host }).getToken(AUDIENCE)).rejects.toThrow(
      `the metadata server at ${metadata.host} answered HTTP 404 for an ID token: no such account`,
    );
    expect(metadata.requests).toHaveLength(1);
  });

  it('refuses an answer over 64 KiB at once, without retrying it (it would be as large again)', async () => {
    metadata.answerWith((_request, response) => response.writeHead(200, { 'metadata-flavor': 'Google' }).end('x'.repeat(70_000)));
    await expect(new MetadataServerTokenSource({ host: metadata.host }).getToken(AUDIENCE)).rejects.toThrow('is over 65536');
    expect(metadata.requests).toHaveLength(1);
  });

  it('refuses an answer without Metadata-Flavor: Google (something else at that address)', async () => {
    metadata.answerWith((_request, response) => response.writeHead(200).end('<html>captive portal</html>'));
    await expect(new MetadataServerTokenSource({ host: metadata.host }).getToken(AUDIENCE)).rejects.toThrow(
      'without "Metadata-Flavor: Google": not a metadata server',
    );
  });

  it('refuses an answer that is not a JWT with exp', async () => {
    metadata.answerWith((_request, response) => response.writeHead(200, { 'metadata-flavor': 'Google' }).end('not-a-token'));
    await expect(new MetadataServerTokenSource({ host: metadata.host }).getToken(AUDIENCE)).rejects.toThrow(
      `the metadata server at ${metadata.host} answered something that is not a JWT`,
    );
  });

  it('fails fast and clearly when nothing listens (off Google Cloud), naming the host and GCE_METADATA_HOST', async () => {
    const host = `127.0.0.1:${await closedPort()}`;
    const error = await new MetadataServerTokenSource({ host, backoffMs: 10 }).getToken(AUDIENCE).catch((caught: Error) => caught);
    // Fast, not a hang: each try ended on the refused connection, not on the per-try timeout (whose message differs).
    expect((error as Error).message).toContain(`no ID token from the metadata server at ${host}: fetch failed (ECONNREFUSED) (after 3 tries)`);
    expect((error as Error).message).toContain('GCE_METADATA_HOST');
  });

  it('gives up on a server that never answers after the per-try timeout', async () => {
    metadata.answerWith(() => undefined);
    const error = await new MetadataServerTokenSource({ host: metadata.host, timeoutMs: 150, attempts: 2, backoffMs: 10 })
      .getToken(AUDIENCE)
      .catch((caught: Error) => caught);
    expect((error as Error).message).toContain('no complete answer within 150 ms (after 2 tries)');
    expect(metadata.requests).toHaveLength(2);
  });

  it('lets the next caller try again after a failure (a failure is not cached)', async () => {
    metadata.answerWith((_request, response) => response.writeHead(500, { 'metadata-flavor': 'Google' }).end());
    const source = new MetadataServerTokenSource({ host: metadata.host, attempts: 1 });
    await expect(source.getToken(AUDIENCE)).rejects.toThrow('HTTP 500 (after 1 try)');
    metadata.answerWith((request, response) => response.writeHead(200, { 'metadata-flavor': 'Google' }).end(idToken(request)));
    await expect(source.getToken(AUDIENCE)).resolves.toMatch(/^ey/);
  });
});
