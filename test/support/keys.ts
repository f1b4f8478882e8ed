import { type KeyObject, constants, createPrivateKey, createPublicKey, generateKeyPairSync, sign } from 'node:crypto';

/** A signing key of a test issuer, with its public JWK as a key server would publish it. */
export interface TestKey {
  kid: string;
  alg: 'RS256' | 'ES256' | 'PS256' | 'EdDSA';
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

/**
 * Makes a fresh RSA-2048 (RS256 or PS256), P-256 (ES256) or Ed25519 (EdDSA) key. The generation job hands back DER
 * bytes and the keys are imported from them: on Node 20 a garbage collection that destroys a finished job while one of
 * its own keys is being exported deadlocks the process (both take the key's mutex; a full run froze in `ExportJWK`
 * while the 7,000-key test made its keys).
 */
export function makeKey(alg: TestKey['alg'], kid: string, options: { bits?: number } = {}): TestKey {
  const privateKeyEncoding = { type: 'pkcs8', format: 'der' } as const;
  const publicKeyEncoding = { type: 'spki', format: 'der' } as const;
  const der: Buffer =
    alg === 'ES256'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256', privateKeyEncoding, publicKeyEncoding }).privateKey
      : alg === 'EdDSA'
        ? generateKeyPairSync('ed25519', { privateKeyEncoding, publicKeyEncoding }).privateKey
        : generateKeyPairSync('rsa', { modulusLength: options.bits ?? 2048, privateKeyEncoding, publicKeyEncoding }).privateKey;
  const privateKey = createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  const jwk = { ...createPublicKey(privateKey).export({ format: 'jwk' }), kid, use: 'sig' };
  return { kid, alg, privateKey, jwk };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** Signs a compact JWS with real crypto; `header` overrides the default `{ alg, kid, typ }`. */
export function signJwt(key: TestKey, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  const input = `${b64({ alg: key.alg, kid: key.kid, typ: 'JWT', ...header })}.${b64(payload)}`;
  const data = Buffer.from(input);
  let signature: Buffer;
  if (key.alg === 'EdDSA') signature = sign(null, data, key.privateKey);
  else if (key.alg === 'ES256') signature = sign('sha256', data, { key: key.privateKey, dsaEncoding: 'ieee-p1363' });
  else if (key.alg === 'PS256') {
    signature = sign('sha256', data, {
      key: key.privateKey,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: constants.RSA_PSS_SALTLEN_DIGEST,
    });
  } else signature = sign('sha256', data, key.privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

/** Seconds since the epoch, as JWT time claims count. */
export const nowSeconds = () => Math.floor(Date.now() / 1000);

/** Standard claims for `issuer` and `audience`, valid for an hour; `overrides` replace or add (undefined removes). */
export function claims(issuer: string, audience: string | string[], overrides: Record<string, unknown> = {}) {
  const now = nowSeconds();
  const base: Record<string, unknown> = { iss: issuer, sub: 'user-1', aud: audience, iat: now, exp: now + 3600, ...overrides };
  for (const [name, value] of Object.entries(base)) if (value === undefined) delete base[name];
  return base;
}
