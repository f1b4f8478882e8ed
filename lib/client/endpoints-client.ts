import type { AuthorizationEntry, AuthorizationHeaderOptions } from './authorization-header.js';
import { checkAuthorizationHeader } from './authorization-header.util.js';
import { type AuthorizedFetch, authorizedFetch } from './authorized-fetch.js';
import { type MetadataLike, authorizationMetadata } from './authorization-metadata.js';
import type { TokenSource } from './token-source.interface.js';

/** One service this app calls: its audience, where tokens come from, and (for REST) its base URL. */
export interface EndpointsClientOptions extends AuthorizationHeaderOptions {
  /** The name to inject the client by (`@InjectEndpointsClient(name)`). */
  name: string;
  /** The `aud` of the tokens sent: for Cloud Run the service's URL; for Endpoints `https://SERVICE_NAME` or one of its audiences. */
  audience: string;
  /** Where tokens come from (a key file, the metadata server, the exchange). */
  source: TokenSource;
  /**
   * The URL relative paths given to `fetch` are resolved against (as `new URL(path, baseUrl)`: `shelves` keeps its
   * path, `/shelves` replaces it); requests to any other origin are then refused. None by default (absolute URLs).
   */
  baseUrl?: string;
  /** The `fetch` requests go through; the global `fetch` by default. */
  fetch?: typeof fetch;
}

/** A client for one service: `fetch` with the bearer token, the token itself, and gRPC call metadata. */
export class EndpointsClient {
  /** `fetch` for this service: a path is resolved against `baseUrl` (same origin only); `Bearer <token>` is added in `header`. */
  readonly fetch: AuthorizedFetch;

  constructor(readonly options: EndpointsClientOptions) {
    // Checked before authorizedFetch checks it, so the start-up error names the client.
    checkAuthorizationHeader(options.header, `EndpointsClient "${options.name}"`);
    const send = authorizedFetch(options.source, options.audience, { fetch: options.fetch, header: options.header });
    const base = options.baseUrl === undefined ? undefined : new URL(options.baseUrl);
    this.fetch = async (input, init) => {
      if (!base) return send(input, init);
      const url = input instanceof Request ? new URL(input.url) : new URL(input, base);
      // The service's token must never go to another host: `//other.example` or an absolute URL is refused.
      if (url.origin !== base.origin) {
        throw new Error(`EndpointsClient "${options.name}": ${url.origin} is not the origin of its baseUrl (${base.origin}); its token is only sent there`);
      }
      return send(input instanceof Request ? input : url, init);
    };
  }

  /** The token for this service's audience (cached by the source). */
  getToken(): Promise<string> {
    return this.options.source.getToken(this.options.audience);
  }

  /** The gRPC entry for this service (`authorization`, or `header`), set on `metadata` when given (see `authorizationMetadata`). */
  metadata(metadata?: MetadataLike): Promise<AuthorizationEntry> {
    return authorizationMetadata(this.options.source, this.options.audience, metadata, { header: this.options.header });
  }
}
