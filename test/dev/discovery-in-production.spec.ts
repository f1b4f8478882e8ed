/**
 * In production, the key URL an OpenID discovery document names meets the rule the spec's key URLs met at start-up:
 * plain http or a loopback host is refused (the fetch fails, so no key is served) unless allowInsecureKeyUrls.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { discoveryLoader } from '../../lib/keys/key-loader.js';
import { KeyServer } from '../support/key-server.js';
import { makeKey } from '../support/keys.js';

const BOUNDS = { fetchTimeoutMs: 2000, maxBodyBytes: 65536 };
const key = makeKey('RS256', 'discovered');
const server = new KeyServer();

beforeAll(async () => {
  await server.start();
  server.jwks('/jwks', [key.jwk]);
  server.set('/.well-known/openid-configuration', { body: { issuer: 'https://issuer.example.com', jwks_uri: `${server.url}/jwks` } });
});
afterAll(() => server.stop());

describe('a discovered key URL', () => {
  const discovery = () => `${server.url}/.well-known/openid-configuration`;

  it('is refused in production when it is plain http or on a loopback host, naming why and the URL without its query', async () => {
    const load = discoveryLoader('google', discovery(), { ...BOUNDS, production: 'K_SERVICE is set (Cloud Run)', allowInsecureKeyUrls: false });
    await expect(load()).rejects.toThrow(
      `K_SERVICE is set (Cloud Run) and the OpenID discovery document names keys on plain http (${server.url}/jwks): refused (allowInsecureKeyUrls allows it)`,
    );
    expect(server.count('/jwks')).toBe(0);
  });

  it('is used in production with allowInsecureKeyUrls, and outside production', async () => {
    for (const bounds of [
      { ...BOUNDS, production: 'NODE_ENV is "production"', allowInsecureKeyUrls: true },
      { ...BOUNDS, production: undefined, allowInsecureKeyUrls: false },
    ]) {
      const records = await discoveryLoader('google', discovery(), bounds)();
      expect(records.map((record) => record.kid)).toEqual(['discovered']);
    }
  });
});
