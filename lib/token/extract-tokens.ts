import type { JwtLocation } from '../interfaces/provider.interface.js';
import { headerValues } from './header-values.util.js';
import type { HttpRequestLike } from './http-request.interface.js';

/**
 * Every token found in the given locations, as Envoy's extractor finds them: header names are case-insensitive,
 * the value prefix is case-sensitive and must start the value, every instance of a repeated header counts, and a
 * query parameter gives its first, percent-decoded value.
 */
export function extractTokens(request: HttpRequestLike, locations: readonly JwtLocation[]): string[] {
  const tokens: string[] = [];
  let query: URLSearchParams | null | undefined;
  for (const location of locations) {
    if ('query' in location) {
      // Most requests carry no query string: no URLSearchParams is built for them.
      if (query === undefined) query = queryOf(request);
      const value = query?.get(location.query);
      if (value != null) tokens.push(value);
      continue;
    }
    for (const value of headerValues(request, location.header.toLowerCase())) {
      const prefix = location.valuePrefix ?? '';
      if (value.startsWith(prefix)) tokens.push(value.slice(prefix.length));
    }
  }
  return tokens;
}

function queryOf(request: HttpRequestLike): URLSearchParams | null {
  const url = request.originalUrl ?? request.url ?? '';
  const start = url.indexOf('?');
  return start === -1 ? null : new URLSearchParams(url.slice(start + 1));
}
