import { asServiceAccountKey } from './as-service-account-key.util.js';
import type { ServiceAccountKey } from './service-account-key.js';
import { signServiceAccountJwt } from './sign-service-account-jwt.js';
import { TokenCache } from './token-cache.js';
import { tokenExpiry } from './token-expiry.util.js';
import { type TokenRequestPolicy, checkTokenRequestPolicy, requestToken } from './token-request.util.js';
import type { TokenSource } from './token-source.interface.js';

/** Google's OAuth 2.0 token endpoint, the default when neither the options nor the key file name one. */
export const GOOGLE_TOKEN_ENDPOINT = 'https://oauth2.googleapis.com/token';

/** Where and how an `IdTokenExchangeSource` exchanges. */
export interface IdTokenExchangeSourceOptions {
  /** The token endpoint; the key file's `token_uri`, else `https://oauth2.googleapis.com/token`, by default. */
  tokenEndpoint?: string;
  /** A new token is fetched this long before the cached one's `exp`; 300 (5 minutes) by default. */
  refreshBeforeExpirySeconds?: number;
  /** Tries per token, the first included (network errors, timeouts and 5xx are retried); 3 by default. */
  attempts?: number;
  /** Deadline of one try; 10000 ms by default. */
  timeoutMs?: number;
  /** The wait before the second try, doubled for each further one; 500 ms by default. */
  backoffMs?: number;
}

/**
 * Google-signed ID tokens outside Google Cloud: a JWT the service account signs (`target_audience` = the audience,
 * `aud` = the token endpoint) is exchanged at the token endpoint (the JWT-bearer grant) for an ID token whose `aud` is
 * the audience, as Cloud Run and IAP expect. Cached per audience until shortly before its `exp`, single-flight.
 */
export class IdTokenExchangeSource implements TokenSource {
  /** The key that signs the assertions. */
  readonly key: ServiceAccountKey;
  /** Where the assertions are posted. */
  readonly tokenEndpoint: string;
  private readonly cache: TokenCache;
  private readonly policy: TokenRequestPolicy;

  constructor(key: ServiceAccountKey | string | object, options: IdTokenExchangeSourceOptions = {}) {
    this.key = asServiceAccountKey(key);
    this.tokenEndpoint = options.tokenEndpoint ?? this.key.tokenUri ?? GOOGLE_TOKEN_ENDPOINT;
    this.policy = checkTokenRequestPolicy({
      attempts: options.attempts ?? 3,
      timeoutMs: options.timeoutMs ?? 10_000,
      backoffMs: options.backoffMs ?? 500,
      maxBodyBytes: 64 * 1024,
    });
    this.cache = new TokenCache((audience) => this.exchange(audience), (options.refreshBeforeExpirySeconds ?? 300) * 1000);
  }

  /** A Google-signed ID token for `audience` (the callee's URL on Cloud Run). */
  getToken(audience: string): Promise<string> {
    return this.cache.get(audience);
  }

  private async exchange(audience: string) {
    const assertion = signServiceAccountJwt(this.key, { audience: this.tokenEndpoint, claims: { target_audience: audience } });
    const body = new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion });
    const from = `the token endpoint ${this.tokenEndpoint}`;
    let response;
    try {
      response = await requestToken(this.tokenEndpoint, { method: 'POST', body, headers: { accept: 'application/json' } }, this.policy);
    } catch (error) {
      throw new Error(`no ID token from ${from}: ${(error as Error).message}`);
    }
    let json: { id_token?: unknown; error?: unknown; error_description?: unknown } = {};
    try {
      json = JSON.parse(response.body) as typeof json;
    } catch {
      // not JSON: reported below with the status
    }
    if (response.status !== 200 || typeof json.id_token !== 'string') {
      // OAuth errors (RFC 6749 §5.2) name the cause: invalid_grant for a revoked key or a bad target_audience.
      const oauth = typeof json.error === 'string' ? `: ${json.error}${typeof json.error_description === 'string' ? ` (${json.error_description.slice(0, 200)})` : ''}` : '';
      const what = response.status === 200 ? 'HTTP 200 without "id_token"' : `HTTP ${response.status}`;
      throw new Error(`${from} answered ${what}${oauth} for service account ${this.key.clientEmail}`);
    }
    return { token: json.id_token, expiresAt: tokenExpiry(json.id_token, from) };
  }
}
