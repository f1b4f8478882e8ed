import type { TokenSource } from './token-source.interface.js';

/** A `fetch` that sends a bearer token for one audience. */
export type AuthorizedFetch = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/**
 * Wraps `fetchImpl` (the global `fetch` by default) so every request carries `Authorization: Bearer <token>`, the
 * token from `source` for `audience` (cached there); an `Authorization` the caller set itself is replaced.
 */
export function authorizedFetch(source: TokenSource, audience: string, fetchImpl: typeof fetch = fetch): AuthorizedFetch {
  return async (input, init) => {
    const token = await source.getToken(audience);
    const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
    headers.set('authorization', `Bearer ${token}`);
    return fetchImpl(input, { ...init, headers });
  };
}
