import { type JsonWebKey, type KeyObject, createPrivateKey, createPublicKey, randomUUID } from 'node:crypto';
import type { KeyRecord } from '../keys/key-record.interface.js';
import { freshRsaKeyPair } from './fresh-key-pair.util.js';

/**
 * An RS256 key pair that signs tokens for tests and local development: RSA 2048, the algorithm every issuer ESP
 * meets (Firebase, Google, Auth0) uses, so a minted token takes the path a real one takes.
 */
export class SigningKey {
  private constructor(
    /** The private key that signs. */
    readonly privateKey: KeyObject,
    /** The `kid` written in every token's header and in the published key. */
    readonly kid: string,
  ) {}

  /** A new key pair with a random kid. */
  static generate(): SigningKey {
    const { privateKey } = freshRsaKeyPair();
    return new SigningKey(privateKey, randomUUID());
  }

  /** The key pair of a private RSA JWK written by `privateJwk()`; throws a message naming what is wrong. */
  static fromPrivateJwk(jwk: unknown): SigningKey {
    const member = (typeof jwk === 'object' && jwk !== null ? jwk : {}) as JsonWebKey & { kid?: unknown };
    if (member.kty !== 'RSA' || typeof member.d !== 'string' || typeof member.kid !== 'string' || member.kid === '') {
      throw new Error('not a private RSA JWK with a kid');
    }
    return new SigningKey(createPrivateKey({ key: member, format: 'jwk' }), member.kid);
  }

  /** The private key as a JWK with its kid, for a key file only its owner reads. */
  privateJwk(): JsonWebKey {
    return { ...this.privateKey.export({ format: 'jwk' }), kid: this.kid, alg: 'RS256' };
  }

  /** The public key as a JWKS member, as an issuer publishes it. */
  publicJwk(): JsonWebKey {
    return { ...createPublicKey(this.privateKey).export({ format: 'jwk' }), kid: this.kid, alg: 'RS256', use: 'sig' };
  }

  /** The public key as the verifier holds a fetched one. */
  record(): KeyRecord {
    return { kid: this.kid, key: createPublicKey(this.privateKey), algorithms: new Set(['RS256']) };
  }
}
