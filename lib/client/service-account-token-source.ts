import { asServiceAccountKey } from './as-service-account-key.util.js';
import type { ServiceAccountKey } from './service-account-key.js';
import { signServiceAccountJwt } from './sign-service-account-jwt.js';
import { checkedLifetime } from './jwt-lifetime.util.js';
import { TokenCache } from './token-cache.js';
import { tokenExpiry } from './token-expiry.util.js';
import type { TokenSource } from './token-source.interface.js';

/** How a `ServiceAccountTokenSource` signs and caches. */
export interface ServiceAccountTokenSourceOptions {
  /** `iss` and `sub`; the account's email by default. */
  issuer?: string;
  /** Seconds each token lives, 1 to 3600; 3600 by default. */
  lifetimeSeconds?: number;
  /** A new token is signed this long before the cached one expires; 300 (5 minutes) by default. */
  refreshBeforeExpirySeconds?: number;
  /** More claims for every token. */
  claims?: Record<string, unknown>;
}

/**
 * Tokens a service account signs itself (`iss` = `sub` = its email, `aud` = the audience asked for, RS256 with the key
 * parsed once), cached per audience and re-signed ahead of expiry: what a caller of an Endpoints API sends as
 * `Authorization: Bearer` when the API lists the account as an issuer.
 */
export class ServiceAccountTokenSource implements TokenSource {
  /** The key in use (read once when given as a path or the parsed key file). */
  readonly key: ServiceAccountKey;
  private readonly cache: TokenCache;

  constructor(key: ServiceAccountKey | string | object, private readonly options: ServiceAccountTokenSourceOptions = {}) {
    this.key = asServiceAccountKey(key);
    // Checked now, so a bad lifetime fails where the source is made rather than at the first call.
    const lifetimeSeconds = checkedLifetime(options.lifetimeSeconds);
    this.cache = new TokenCache(async (audience) => {
      const token = signServiceAccountJwt(this.key, { audience, lifetimeSeconds, issuer: this.options.issuer, claims: this.options.claims });
      return { token, expiresAt: tokenExpiry(token, 'the signer') };
    }, (options.refreshBeforeExpirySeconds ?? 300) * 1000);
  }

  /** A token for `audience`, signed at most once per audience until it nears expiry. */
  getToken(audience: string): Promise<string> {
    return this.cache.get(audience);
  }
}

