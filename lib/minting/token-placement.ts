import type { EndpointsProvider } from '../interfaces/provider.interface.js';

/** Where a caller puts a token so a definition finds it: a header and its value, a query parameter, or a cookie. */
export type TokenPlacement = { header: string; value: string } | { query: string; value: string } | { cookie: string; value: string };

/**
 * The first of a definition's token locations, filled with `token` (a header's value prefix included): what a test or
 * a shell sends. Header names are lower-case, as HTTP/2 and gRPC metadata need them.
 */
export function placeToken(provider: EndpointsProvider, token: string): TokenPlacement {
  const location = provider.locations[0];
  if (location === undefined) throw new Error(`"${provider.name}" has no token location`);
  if ('query' in location) return { query: location.query, value: token };
  if ('cookie' in location) return { cookie: location.cookie, value: token };
  return { header: location.header.toLowerCase(), value: `${location.valuePrefix ?? ''}${token}` };
}
