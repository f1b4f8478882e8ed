import { type KeyObject, createHmac, sign } from 'node:crypto';

/** What signs a minted token: an RSA private key (RS256) or an HMAC secret (HS256), and the kid to name. */
export interface JwtSigner {
  key: KeyObject;
  kid?: string;
}

/** A compact JWS of `payload`: RS256 with a private RSA key, HS256 with a secret (a key written in a spec). */
export function signJwt(payload: Readonly<Record<string, unknown>>, signer: JwtSigner): string {
  const alg = signer.key.type === 'secret' ? 'HS256' : 'RS256';
  const header = signer.kid === undefined ? { alg, typ: 'JWT' } : { alg, typ: 'JWT', kid: signer.kid };
  const input = `${encode(header)}.${encode(payload)}`;
  const signature =
    alg === 'HS256'
      ? createHmac('sha256', signer.key).update(input).digest()
      : sign('sha256', Buffer.from(input), signer.key);
  return `${input}.${signature.toString('base64url')}`;
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}
