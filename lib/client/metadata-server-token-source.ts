import { TokenCache } from './token-cache.js';
import { tokenExpiry } from './token-expiry.util.js';
import { type TokenRequestPolicy, checkTokenRequestPolicy, requestToken } from './token-request.util.js';
import type { TokenSource } from './token-source.interface.js';

/** Where and how a `MetadataServerTokenSource` asks. */
export interface MetadataServerTokenSourceOptions {
  /** `host[:port]` of the metadata server; `GCE_METADATA_HOST`, else `metadata.google.internal`, by default. */
  host?: string;
  /** A new token is fetched this long before the cached one's `exp`; 300 (5 minutes) by default. */
  refreshBeforeExpirySeconds?: number;
  /** Tries per token, the first included (network errors, timeouts and 5xx are retried); 3 by default. */
  attempts?: number;
  /** Deadline of one try; 3000 ms by default (the server answers in milliseconds on Google Cloud). */
  timeoutMs?: number;
  /** The wait before the second try, doubled for each further one; 200 ms by default. */
  backoffMs?: number;
}

const IDENTITY_PATH = '/computeMetadata/v1/instance/service-accounts/default/identity';

/**
 * Google-signed ID tokens (`aud` = the audience asked for) from the metadata server of Cloud Run, GKE, GCE or Cloud
 * Functions, for the instance's default service account: one request per audience however many callers wait, cached
 * until shortly before the token's `exp`. Off Google Cloud it fails with an error naming the host, never hangs.
 */
export class MetadataServerTokenSource implements TokenSource {
  /** The `host[:port]` asked. */
  readonly host: string;
  private readonly cache: TokenCache;
  private readonly policy: TokenRequestPolicy;

  constructor(options: MetadataServerTokenSourceOptions = {}) {
    this.host = options.host ?? (process.env.GCE_METADATA_HOST || 'metadata.google.internal');
    this.policy = checkTokenRequestPolicy({
      attempts: options.attempts ?? 3,
      timeoutMs: options.timeoutMs ?? 3000,
      backoffMs: options.backoffMs ?? 200,
      maxBodyBytes: 64 * 1024,
    });
    this.cache = new TokenCache((audience) => this.fetch(audience), (options.refreshBeforeExpirySeconds ?? 300) * 1000);
  }

  /** The instance's ID token for `audience` (the callee's URL on Cloud Run). */
  getToken(audience: string): Promise<string> {
    return this.cache.get(audience);
  }

  private async fetch(audience: string) {
    const url = `http://${this.host}${IDENTITY_PATH}?audience=${encodeURIComponent(audience)}&format=full`;
    let response;
    try {
      response = await requestToken(url, { headers: { 'Metadata-Flavor': 'Google' } }, this.policy);
    } catch (error) {
      throw new Error(
        `no ID token from the metadata server at ${this.host}: ${(error as Error).message}. Off Google Cloud there is ` +
          'no metadata server: use a ServiceAccountTokenSource or an IdTokenExchangeSource with a key file, or set ' +
          'GCE_METADATA_HOST (host:port) to one that answers.',
      );
    }
    // Anything else answering at this address (a proxy, a captive portal) does not send the flavor header.
    if (response.headers.get('metadata-flavor') !== 'Google') {
      throw new Error(`the server at ${this.host} answered HTTP ${response.status} without "Metadata-Flavor: Google": not a metadata server`);
    }
    if (response.status !== 200) {
      throw new Error(`the metadata server at ${this.host} answered HTTP ${response.status} for an ID token: ${response.body.slice(0, 200)}`);
    }
    const token = response.body.trim();
    return { token, expiresAt: tokenExpiry(token, `the metadata server at ${this.host}`) };
  }
}
