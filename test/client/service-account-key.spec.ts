/**
 * Reading the Cloud console's key file and signing with it: the key parsed once, each bad input a clear error that
 * never quotes the private key, and the JWT the Endpoints samples' script makes.
 */
import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { afterAll, describe, expect, it, vi } from 'vitest';
import {
  IdTokenExchangeSource,
  MetadataServerTokenSource,
  ServiceAccountTokenSource,
  authorizationMetadata,
  readServiceAccountKey,
  signServiceAccountJwt,
} from '../../lib/index.js';
import { decodeJwt, makeAccount, tempDir } from './client-kit.js';

const account = makeAccount();
const dir = tempDir();
afterAll(() => dir.remove());

/** The error `readServiceAccountKey` throws for `source`; the test fails if it does not throw. */
function errorOf(source: string | object): string {
  try {
    readServiceAccountKey(source);
  } catch (error) {
    const message = (error as Error).message;
    expect(message).not.toContain('PRIVATE KEY');
    expect(message).not.toContain(account.keyFile.private_key.split('\n')[1]);
    return message;
  }
  throw new Error('no error');
}

describe('readServiceAccountKey', () => {
  it('reads a key file by path, as its JSON text (an environment variable) or as parsed contents, the PEM parsed into a KeyObject', () => {
    const file = dir.write('key.json', JSON.stringify(account.keyFile));
    const text = JSON.stringify(account.keyFile, null, 2);
    for (const key of [readServiceAccountKey(file), readServiceAccountKey(text), readServiceAccountKey(account.keyFile)]) {
      expect(key).toMatchObject({ clientEmail: account.email, privateKeyId: account.keyId, tokenUri: 'https://oauth2.googleapis.com/token' });
      expect(key.privateKey.type).toBe('private');
      expect(key.privateKey.asymmetricKeyType).toBe('rsa');
    }
  });

  it.each([
    ['a missing file', () => dir.path + '/missing.json', 'service-account key file', 'cannot be read (ENOENT)'],
    ['a file that is not JSON', () => dir.write('bad.json', `{ "private_key": "${account.keyFile.private_key}" `), 'key file', 'is not JSON'],
    ['a JSON array', () => [account.keyFile], 'service-account key', 'is not a JSON object'],
    // The key's text where a path was meant: never quoted back, whatever is wrong with it.
    ['the key file’s text with a field missing', () => JSON.stringify({ ...account.keyFile, client_email: undefined }), 'service-account key:', '"client_email" is missing'],
    ['the key file’s text cut short', () => JSON.stringify(account.keyFile).slice(0, -20), 'service-account key:', 'is not JSON'],
    ['a multi-line string that is neither', () => `not a path\n${account.keyFile.private_key}`, 'service-account key:', 'is neither a file path nor the JSON of a key file'],
    ['user credentials', () => ({ ...account.keyFile, type: 'authorized_user' }), '', '"type": "authorized_user", expected "service_account"'],
    ['no type', () => ({ ...account.keyFile, type: undefined }), '', '"type": null, expected "service_account"'],
    ['no client_email', () => ({ ...account.keyFile, client_email: undefined }), '', '"client_email" is missing or not a non-empty string'],
    ['a client_email that is no email', () => ({ ...account.keyFile, client_email: 'caller' }), '', '"client_email" is not an email address'],
    ['an empty private_key_id', () => ({ ...account.keyFile, private_key_id: '' }), '', '"private_key_id" is missing or not a non-empty string'],
    ['a private_key that is no PEM', () => ({ ...account.keyFile, private_key: account.keyFile.private_key.slice(0, 200) }), '', '"private_key" is not a PEM private key'],
    ['an EC private_key', () => ({ ...account.keyFile, private_key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }) }), '', '"private_key" is of type ec, expected RSA'],
    ['a 1024-bit RSA key', () => ({ ...account.keyFile, private_key: generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs8', format: 'pem' }) }), '', 'under 2048 bits'],
    ['a token_uri that is no URL', () => ({ ...account.keyFile, token_uri: 'not a url' }), '', '"token_uri" is not a URL'],
  ])('refuses %s with a clear error', (_name, source, prefix, problem) => {
    const message = errorOf(source());
    expect(message).toContain(prefix);
    expect(message).toContain(problem);
  });
});

describe('signServiceAccountJwt', () => {
  const key = readServiceAccountKey(account.keyFile);

  it('signs RS256 with kid = private_key_id, iss = sub = email, aud, iat and exp = iat + 3600', () => {
    const token = signServiceAccountJwt(key, { audience: 'https://svc.example.com' });
    const { header, payload } = decodeJwt(token);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: account.keyId });
    expect(payload).toEqual({ email: account.email, iss: account.email, sub: account.email, aud: 'https://svc.example.com', iat: payload.iat, exp: payload.iat + 3600 });
    expect(Math.abs(payload.iat - Date.now() / 1000)).toBeLessThan(5);
    const [h, p, s] = token.split('.');
    expect(verify('sha256', Buffer.from(`${h}.${p}`), createPublicKey(account.certificate), Buffer.from(s!, 'base64url'))).toBe(true);
  });

  it('takes an issuer, a shorter lifetime and more claims; the registered claims stay its own', () => {
    const { payload } = decodeJwt(
      signServiceAccountJwt(key, { audience: 'a', issuer: 'issuer@x', lifetimeSeconds: 60, claims: { scope: 'read', aud: 'forged', exp: 1 } }),
    );
    expect(payload).toMatchObject({ iss: 'issuer@x', sub: 'issuer@x', aud: 'a', scope: 'read', exp: payload.iat + 60 });
  });

  it.each([3601, 0, 1.5, Number.NaN])('refuses a lifetime of %s seconds', (lifetimeSeconds) => {
    expect(() => signServiceAccountJwt(key, { audience: 'a', lifetimeSeconds })).toThrow(
      `lifetimeSeconds must be a whole number from 1 to 3600, got ${lifetimeSeconds}`,
    );
  });

  it('refuses an empty audience', () => {
    expect(() => signServiceAccountJwt(key, { audience: '' })).toThrow('audience must be a non-empty string');
  });
});

describe('ServiceAccountTokenSource', () => {
  it('signs once per audience while the token is fresh, and again once the refresh window opens', async () => {
    // RS256 signatures are deterministic and iat counts seconds: the clock is moved, so a second signature would
    // carry another iat and be a different token.
    const start = Date.now();
    const clock = vi.spyOn(Date, 'now').mockReturnValue(start);
    try {
      const source = new ServiceAccountTokenSource(account.keyFile);
      const [a, b] = await Promise.all([source.getToken('https://a.example.com'), source.getToken('https://a.example.com')]);
      expect(a).toBe(b);
      clock.mockReturnValue(start + 120_000);
      expect(await source.getToken('https://a.example.com')).toBe(a);
      expect(decodeJwt(await source.getToken('https://b.example.com')).payload.aud).toBe('https://b.example.com');
      // In the refresh window (the last 300 s of the hour) the old token is still handed out while a new one is signed.
      clock.mockReturnValue(start + 3_400_000);
      expect(await source.getToken('https://a.example.com')).toBe(a);
      await new Promise((resolve) => setImmediate(resolve));
      const renewed = await source.getToken('https://a.example.com');
      expect(renewed).not.toBe(a);
      expect(decodeJwt(renewed).payload.iat).toBe(Math.floor((start + 3_400_000) / 1000));
    } finally {
      clock.mockRestore();
    }
  });

  it('refuses a lifetime over an hour when it is made, not at the first call', () => {
    expect(() => new ServiceAccountTokenSource(account.keyFile, { lifetimeSeconds: 7200 })).toThrow('from 1 to 3600, got 7200');
  });

  it('gives the gRPC authorization entry, set on a Metadata-like object when given', async () => {
    const source = new ServiceAccountTokenSource(account.keyFile);
    const entries = new Map<string, string>();
    const entry = await authorizationMetadata(source, 'https://a.example.com', { set: (k, v) => entries.set(k, v) });
    expect(entry).toEqual({ authorization: `Bearer ${await source.getToken('https://a.example.com')}` });
    expect(Object.fromEntries(entries)).toEqual(entry);
  });
});

describe('source options', () => {
  it.each([
    [() => new ServiceAccountTokenSource(account.keyFile, { refreshBeforeExpirySeconds: -1 }), 'refreshBeforeExpirySeconds must be a number of seconds, 0 or more, got -1'],
    [() => new MetadataServerTokenSource({ attempts: 0 }), 'attempts must be a whole number, 1 or more, got 0'],
    [() => new MetadataServerTokenSource({ timeoutMs: 0 }), 'timeoutMs must be a number of milliseconds over 0, got 0'],
    [() => new IdTokenExchangeSource(account.keyFile, { backoffMs: Number.NaN }), 'backoffMs must be a number of milliseconds, 0 or more, got NaN'],
  ])('refuses a bad option when the source is made (%#)', (make, message) => {
    expect(make).toThrow(message);
  });
});
