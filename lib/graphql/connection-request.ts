import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import { placeToken } from '../minting/token-placement.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';

/**
 * The request a graphql-ws connection stands for, as the guard and the authenticator read one: a POST to the
 * endpoint's path (the operation queries are held to), with the connection's tokens where each definition looks for
 * them first. A header holds every token (each instance counts, and every one must verify, as on HTTP), written as
 * the first definition to claim the header writes it (its value prefix); a query parameter holds the first token put
 * there, as ESP reads only a parameter's first value, and so does a cookie (one sent twice with different values is
 * refused). The upgrade request's own cookies are never read: only what the client put in `connectionParams`.
 */
export function connectionRequest(tokens: readonly string[], providers: Iterable<EndpointsProvider>, path: string): HttpRequestLike {
  const headers: Record<string, string[]> = {};
  /** The value prefix each header was claimed with: another definition's prefix would turn a token into garbage there. */
  const prefixes = new Map<string, string>();
  const query = new URLSearchParams();
  const cookies = new Set<string>();
  for (const provider of providers) {
    if (provider.locations.length === 0) continue;
    for (const token of tokens) {
      const place = placeToken(provider, token);
      if ('query' in place) {
        if (!query.has(place.query)) query.set(place.query, place.value);
        continue;
      }
      if ('cookie' in place) {
        if (!cookies.has(place.cookie)) (headers['cookie'] ??= []).push(`${place.cookie}=${place.value}`);
        cookies.add(place.cookie);
        continue;
      }
      const prefix = place.value.slice(0, place.value.length - token.length);
      if ((prefixes.get(place.header) ?? prefix) !== prefix) continue;
      prefixes.set(place.header, prefix);
      const values = (headers[place.header] ??= []);
      if (!values.includes(place.value)) values.push(place.value);
    }
  }
  const search = query.size > 0 ? `?${query.toString()}` : '';
  return { method: 'POST', url: `${path}${search}`, headers };
}
