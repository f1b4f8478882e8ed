/**
 * Every key format ESP accepts, over a real socket with keys served on 127.0.0.1: each with an accepted token and
 * rejected ones (wrong key, wrong algorithm family) — Google's X.509 certificate map, a base64 symmetric key written
 * in x-google-jwks_uri, OpenID discovery, and the certificate URL inferred for a service-account issuer.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { StrategyRegistry } from '../../lib/index.js';
import { makeCertificates } from '../keys/certificates.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { type TestKey, claims, makeKey, signJwt } from '../support/keys.js';
import { bootApp } from '../verification/verification-kit.js';

const certs = makeCertificates();
const certSigner = (kid: string): TestKey => ({ kid, alg: 'RS256', privateKey: certs.signer, jwk: {} });
const ecKey = makeKey('ES256', 'valid');
const edKey = makeKey('EdDSA', 'ed');
const rsaKey = makeKey('RS256', 'rsa');
const secret = randomBytes(32);
const AUDIENCE = 'formats-audience';

function hs256(key: Buffer, payload: Record<string, unknown>): string {
  const input = `${Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}`;
  return `${input}.${createHmac('sha256', key).update(input).digest('base64url')}`;
}

describe.each(ADAPTERS)('key formats on %s', (adapter: AdapterName) => {
  const server = new KeyServer();
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    await server.start();
    const k = server.url;
    server
      .set('/okp', { body: { keys: [edKey.jwk, rsaKey.jwk] } })
      .set('/x509', { body: { valid: certs.valid, expired: certs.expired, other: certs.other } })
      .set('/x509-ec', { body: { valid: certs.valid, ec: certs.ecP256 } })
      .set('/disc/.well-known/openid-configuration', { body: { issuer: `${k}/disc`, jwks_uri: `${k}/disc/certs` } })
      .set('/disc/certs', { body: { valid: certs.valid } })
      .set('/nodisc/.well-known/openid-configuration', { body: { issuer: `${k}/nodisc` } });
    ({ app, url } = await bootApp(adapter, {
      okp: { issuer: 'https://okp.example.com', jwksUri: `${k}/okp`, audiences: AUDIENCE },
      x509: { issuer: 'https://x509.example.com', jwksUri: `${k}/x509`, audiences: AUDIENCE },
      x509ec: { issuer: 'https://x509ec.example.com', jwksUri: `${k}/x509-ec`, audiences: AUDIENCE },
      symmetric: { issuer: 'https://symmetric.example.com', jwksUri: secret.toString('base64'), audiences: AUDIENCE },
      discovered: { issuer: `${k}/disc`, audiences: AUDIENCE },
      nodisc: { issuer: `${k}/nodisc`, audiences: AUDIENCE },
      account: { issuer: 'caller@project-1.iam.gserviceaccount.com', audiences: AUDIENCE },
    }));
  });
  afterAll(async () => {
    await app?.close();
    await server.stop();
  });

  const get = async (name: string, token: string) => {
    const answer = await call(`${url}/${name}`, { headers: bearer(token) });
    return { status: answer.status, code: answer.body?.errorCode ?? null, message: answer.body?.message ?? null };
  };
  const ok = { status: 200, code: null, message: null };
  const verificationFails = { status: 401, code: 'INVALID_TOKEN', message: 'Jwt verification fails' };
  const noKey = { status: 401, code: 'KEY_NOT_FOUND', message: "Jwks doesn't have key to match kid or alg from Jwt" };

  describe('a JWKS with an Ed25519 (OKP) key', () => {
    const payload = () => claims('https://okp.example.com', AUDIENCE);

    it('accepts an EdDSA token signed by the published Ed25519 key, and an RS256 one by the RSA key beside it', async () => {
      expect(await get('okp', signJwt(edKey, payload()))).toMatchObject(ok);
      expect(await get('okp', signJwt(rsaKey, payload()))).toMatchObject(ok);
    });

    it('refuses an EdDSA token signed by another Ed25519 key, and one whose signature is cut short', async () => {
      expect(await get('okp', signJwt({ ...makeKey('EdDSA', 'x'), kid: 'ed' }, payload()))).toEqual(verificationFails);
      const [header, body, signature] = signJwt(edKey, payload()).split('.');
      const short = Buffer.from(signature, 'base64url').subarray(0, 63).toString('base64url');
      expect(await get('okp', `${header}.${body}.${short}`)).toEqual(verificationFails);
    });

    it('never crosses families: EdDSA under the RSA kid, RS256 under the Ed25519 kid', async () => {
      expect(await get('okp', signJwt({ ...edKey, kid: 'rsa' }, payload()))).toEqual(noKey);
      expect(await get('okp', signJwt({ ...rsaKey, kid: 'ed' }, payload()))).toEqual(noKey);
    });
  });

  describe('Google’s X.509 certificate map', () => {
    const payload = () => claims('https://x509.example.com', AUDIENCE);

    it('accepts an RS256 token whose kid names a certificate of its key, an expired certificate included', async () => {
      expect(await get('x509', signJwt(certSigner('valid'), payload()))).toMatchObject(ok);
      expect(await get('x509', signJwt(certSigner('expired'), payload()))).toMatchObject(ok);
    });

    it('refuses a token whose kid names another key’s certificate, and an ES256 token (wrong family)', async () => {
      expect(await get('x509', signJwt(certSigner('other'), payload()))).toEqual(verificationFails);
      expect(await get('x509', signJwt(ecKey, payload()))).toEqual(noKey);
    });

    it('refuses the whole map when one certificate is not RSA, as ESPv2 does', async () => {
      const answer = await get('x509ec', signJwt(certSigner('valid'), claims('https://x509ec.example.com', AUDIENCE)));
      expect(answer).toEqual({ status: 401, code: 'KEYS_UNAVAILABLE', message: 'Jwks remote fetch is failed' });
    });
  });

  describe('a base64 symmetric key written in x-google-jwks_uri', () => {
    const payload = () => claims('https://symmetric.example.com', AUDIENCE);

    it('accepts an HS256 token made with that key', async () => {
      expect(await get('symmetric', hs256(secret, payload()))).toMatchObject(ok);
    });

    it('refuses an HS256 token made with another key, and an RS256 token (a secret never serves RSA)', async () => {
      expect(await get('symmetric', hs256(randomBytes(32), payload()))).toEqual(verificationFails);
      expect(await get('symmetric', signJwt(certSigner('valid'), payload()))).toEqual(noKey);
    });

    it('is never used for a remote definition: an HS256 token made with a certificate’s PEM is refused', async () => {
      expect(await get('x509', hs256(Buffer.from(certs.valid), claims('https://x509.example.com', AUDIENCE)))).toEqual(noKey);
    });
  });

  describe('OpenID discovery (no x-google-jwks_uri)', () => {
    it('finds the keys through ISSUER/.well-known/openid-configuration and accepts a token', async () => {
      const issuer = `${server.url}/disc`;
      expect(await get('discovered', signJwt(certSigner('valid'), claims(issuer, AUDIENCE)))).toMatchObject(ok);
      expect(await get('discovered', signJwt(certSigner('other'), claims(issuer, AUDIENCE)))).toEqual(noKey);
      expect(server.count('/disc/.well-known/openid-configuration')).toBe(1);
    });

    it('answers KEYS_UNAVAILABLE when the discovery document names no jwks_uri', async () => {
      const answer = await get('nodisc', signJwt(certSigner('valid'), claims(`${server.url}/nodisc`, AUDIENCE)));
      expect(answer).toEqual({ status: 401, code: 'KEYS_UNAVAILABLE', message: 'Jwks remote fetch is failed' });
    });
  });

  it('infers Google’s certificate URL for a service-account issuer without x-google-jwks_uri', () => {
    const { keys } = app.get(StrategyRegistry).get('account').provider;
    expect(keys).toEqual({
      kind: 'remote',
      uri: 'https://www.googleapis.com/robot/v1/metadata/x509/caller@project-1.iam.gserviceaccount.com',
    });
  });
});
