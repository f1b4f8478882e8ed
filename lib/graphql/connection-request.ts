import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import { placeToken } from '../minting/token-placement.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';

/**
 * The request a graphql-ws connection stands for, as the guard and the authenticator read one: a POST to the
 * endpoint's path (the operation queries are held to), with the connection's token where each definition looks for
 * it first (a header, or a query parameter). A location another definition already filled keeps its first value.
 */
export function connectionRequest(token: string | undefined, providers: Iterable<EndpointsProvider>, path: string): HttpRequestLike {
  const headers: Record<string, string> = {};
  const query = new URLSearchParams();
  if (token !== undefined) {
    for (const provider of providers) {
      if (provider.locations.length === 0) continue;
      const place = placeToken(provider, token);
      if ('header' in place) headers[place.header] ??= place.value;
      else if (!query.has(place.query)) query.set(place.query, place.value);
    }
  }
  const search = query.size > 0 ? `?${query.toString()}` : '';
  return { method: 'POST', url: `${path}${search}`, headers };
}
