import { DEFAULT_AUTHORIZATION_LOCATION } from '../endpoints-auth.constants.js';
import { invalidToken } from '../errors/auth-error.js';
import { grpcMethodOf } from '../grpc/grpc-request.util.js';
import type { JwtLocation } from '../interfaces/provider.interface.js';
import { cookieValues } from './cookie-values.util.js';
import { headerValues, isHeaderName, rawHeadersOf } from './header-values.util.js';
import type { HttpRequestLike } from './http-request.interface.js';
import { queryParameter } from './query-parameter.util.js';
import { tokenAfterPrefix } from './token-after-prefix.util.js';

/**
 * Every token found in the given locations, as Envoy's extractor finds them: header names are case-insensitive,
 * the value prefix must start the value and the token is the run of token characters after it, every instance of a
 * repeated header counts, and a query parameter gives its first, percent-decoded value. The default `Authorization`
 * location takes its `Bearer` scheme in any case (RFC 7235 §2.1); a prefix the spec writes stays exact, as in ESPv2.
 * A cookie gives its value (`cookieValues`); a gRPC call has no cookies. Throws an `AuthError` (INVALID_TOKEN) when a
 * cookie is sent more than once with different values.
 */
export function extractTokens(request: HttpRequestLike, locations: readonly JwtLocation[]): string[] {
  // Made only when a token is found, with room for that one: most requests carry one token.
  let tokens: string[] | undefined;
  for (let index = 0; index < locations.length; index++) {
    const location = locations[index]!;
    if ('cookie' in location) {
      // gRPC metadata is no browser's request: a `cookie` key there is not a cookie.
      if (grpcMethodOf(request) !== undefined) continue;
      const token = soleCookie(request, location.cookie);
      if (token !== undefined) tokens = added(tokens, token);
      continue;
    }
    if ('query' in location) {
      const value = queryParameter(request, location.query);
      if (value !== undefined) tokens = added(tokens, value);
      continue;
    }
    const prefix = location.valuePrefix ?? '';
    const anyCase = location === DEFAULT_AUTHORIZATION_LOCATION;
    const raw = rawHeadersOf(request);
    if (!raw) {
      for (const value of headerValues(request, location.header.toLowerCase())) tokens = withHeaderToken(tokens, value, prefix, anyCase);
      continue;
    }
    // The raw list read in place: no list of values, no lower-cased name per request.
    for (let i = 0; i + 1 < raw.length; i += 2) {
      if (isHeaderName(String(raw[i]), location.header)) tokens = withHeaderToken(tokens, String(raw[i + 1]), prefix, anyCase);
    }
  }
  return tokens ?? [];
}

/** `tokens` with `token` added, made for it when there is none yet. */
function added(tokens: string[] | undefined, token: string): string[] {
  if (!tokens) return [token];
  tokens.push(token);
  return tokens;
}

/** `tokens` with the token of one header value when it starts with the location's prefix. */
function withHeaderToken(tokens: string[] | undefined, value: string, prefix: string, anyCase: boolean): string[] | undefined {
  if (prefix === '') return added(tokens, value);
  return startsWith(value, prefix, anyCase) ? added(tokens, tokenAfterPrefix(value, prefix.length)) : tokens;
}

/**
 * The one value of a cookie. Envoy takes the first of a repeated name; but a browser sends first the cookie with the
 * longest path, which a sibling subdomain can set ("cookie tossing"), so taking either one could hand the request
 * another user's session, and both verifying proves nothing about which is the caller's. Different values are
 * refused instead; the same value twice is one token.
 */
function soleCookie(request: HttpRequestLike, name: string): string | undefined {
  const values = cookieValues(request, name);
  if (values.some((value) => value !== values[0])) {
    throw invalidToken(`Jwt cookie "${name}" is sent more than once with different values`);
  }
  return values[0];
}

function startsWith(value: string, prefix: string, anyCase: boolean): boolean {
  if (value.startsWith(prefix)) return true;
  return anyCase && value.length >= prefix.length && value.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();
}
