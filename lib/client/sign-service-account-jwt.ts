import { sign } from 'node:crypto';
import { MAX_SERVICE_ACCOUNT_JWT_LIFETIME_SECONDS, checkedLifetime } from './jwt-lifetime.util.js';
import type { ServiceAccountKey } from './service-account-key.js';

export { MAX_SERVICE_ACCOUNT_JWT_LIFETIME_SECONDS };

/** What a service-account JWT says besides the key's identity. */
export interface SignServiceAccountJwtOptions {
  /** The `aud` claim: one of the callee's audiences (for Endpoints, `https://SERVICE_NAME` by default). */
  audience: string;
  /** `iss` and `sub`; the account's email by default. */
  issuer?: string;
  /** Seconds from `iat` to `exp`: a whole number from 1 to 3600; 3600 by default. */
  lifetimeSeconds?: number;
  /** More claims; `iss`, `sub`, `aud`, `iat` and `exp` are always the ones above. */
  claims?: Record<string, unknown>;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Signs an RS256 JWT with a service account's key, as the Endpoints samples' `generate_jwt` does: header `kid` = the
 * key id; `iss` = `sub` = `email` = the account's email (or `issuer`), `aud`, `iat` = now, `exp` = iat + lifetime.
 */
export function signServiceAccountJwt(key: ServiceAccountKey, options: SignServiceAccountJwtOptions): string {
  const lifetime = checkedLifetime(options.lifetimeSeconds);
  if (typeof options.audience !== 'string' || options.audience === '') throw new Error('audience must be a non-empty string');
  const issuer = options.issuer ?? key.clientEmail;
  const iat = Math.floor(Date.now() / 1000);
  const payload = { email: key.clientEmail, ...options.claims, iss: issuer, sub: issuer, aud: options.audience, iat, exp: iat + lifetime };
  const input = `${b64({ alg: 'RS256', typ: 'JWT', kid: key.privateKeyId })}.${b64(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}
