import type { AuthorizationHeaderOptions } from './authorization-header.js';
import { checkAuthorizationHeader } from './authorization-header.util.js';
import type { TokenSource } from './token-source.interface.js';

/** A `fetch` that sends a bearer token for one audience. */
export type AuthorizedFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** `authorizedFetch`'s options: the header the token goes in, and the `fetch` requests go through. */
export interface AuthorizedFetchOptions extends AuthorizationHeaderOptions {
  /** The `fetch` requests go through; the global `fetch` by default. */
  fetch?: typeof fetch;
}

/**
 * Wraps `fetch` (the global one by default; or pass options) so every request carries `Bearer <token>`, the token
 * from `source` for `audience` (cached there), in `Authorization` (replacing one the caller set) or, with
 * `header: 'x-serverless-authorization'`, in `X-Serverless-Authorization` (replacing that one, and leaving the
 * caller's `Authorization` alone).
 */
export function authorizedFetch(source: TokenSource, audience: string, fetchOrOptions: typeof fetch | AuthorizedFetchOptions = {}): AuthorizedFetch {
  const options = typeof fetchOrOptions === 'function' ? { fetch: fetchOrOptions } : fetchOrOptions;
  const header = checkAuthorizationHeader(options.header, 'authorizedFetch');
  const fetchImpl = options.fetch ?? fetch;
  return async (input, init) => {
    const token = await source.getToken(audience);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set(header, `Bearer ${token}`);
    return fetchImpl(input, { ...init, headers });
  };
}
