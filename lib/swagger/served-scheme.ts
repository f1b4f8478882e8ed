import { DEFAULT_AUTHORIZATION_LOCATION, DEFAULT_JWT_LOCATIONS } from '../endpoints-auth.constants.js';
import type { ApiKeyLocation } from '../interfaces/api-keys.interface.js';
import type { EndpointsProvider, JwtLocation } from '../interfaces/provider.interface.js';

/**
 * The security scheme a served document gives a JWT definition: what Swagger UI's "Authorize" needs to send a pasted
 * token where the definition reads it (`http` bearer for `Authorization: Bearer`, else an `apiKey` header, query or
 * cookie),
 * with the definition's `x-google-*` members. A symmetric key written in the spec is never copied, nor a key URL with
 * credentials or a query (the served document is public; the start-up log hides the same parts).
 */
export function servedJwtScheme(provider: EndpointsProvider): Record<string, unknown> {
  const notes = [`A JWT of ${provider.issuer}.`];
  const scheme: Record<string, unknown> = { ...authorizeFormOf(provider.locations, notes) };
  scheme['x-google-issuer'] = provider.issuer;
  if (provider.keys.kind === 'remote' && carriesSecret(provider.keys.uri)) {
    notes.push('Its key URL carries credentials or a query (which may hold an API key) and is left out of this document: add x-google-jwks_uri where you deploy it.');
  } else if (provider.keys.kind === 'remote') {
    scheme['x-google-jwks_uri'] = provider.keys.uri;
  }
  if (provider.keys.kind === 'symmetric') {
    notes.push('Its symmetric key is written in the API configuration and left out of this document: add x-google-jwks_uri where you deploy it.');
  }
  // No audiences written: ESP's default (https://SERVICE_NAME) applies again when the document is read.
  if (!provider.serviceNameAudience && provider.audiences.length > 0) scheme['x-google-audiences'] = provider.audiences.join(',');
  if (provider.locations !== DEFAULT_JWT_LOCATIONS) scheme['x-google-jwt-locations'] = provider.locations.map(jwtLocationEntry);
  scheme['description'] = notes.join(' ');
  return scheme;
}

/** The scheme of an apiKey definition: where its key is read (the first of ESP's defaults when it named none). */
export function servedApiKeyScheme(locations: readonly ApiKeyLocation[]): Record<string, unknown> {
  const [first] = locations;
  const place = first && 'header' in first ? { in: 'header', name: first.header } : { in: 'query', name: first?.query ?? 'key' };
  const scheme: Record<string, unknown> = { type: 'apiKey', ...place };
  if (locations.length > 1) scheme['description'] = `Also read from ${locations.slice(1).map(describeKeyLocation).join(', ')}.`;
  return scheme;
}

/** ESP's spelling of a token location in `x-google-jwt-locations` (a cookie as this library's extension writes it). */
export function jwtLocationEntry(location: JwtLocation): Record<string, string> {
  if ('query' in location) return { query: location.query };
  if ('cookie' in location) return { cookie: location.cookie };
  return location.valuePrefix ? { header: location.header, value_prefix: location.valuePrefix } : { header: location.header };
}

function authorizeFormOf(locations: readonly JwtLocation[], notes: string[]): Record<string, string> {
  const bearer = locations.some(
    (location) =>
      location === DEFAULT_AUTHORIZATION_LOCATION ||
      ('header' in location && location.header.toLowerCase() === 'authorization' && location.valuePrefix === 'Bearer '),
  );
  if (bearer) return { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' };
  const [first] = locations;
  if (!first) return { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' };
  if ('query' in first) return { type: 'apiKey', in: 'query', name: first.query };
  if ('cookie' in first) {
    // Swagger UI's "Try it out" cannot set a cookie (browsers forbid it): the scheme documents it all the same.
    notes.push(`Sent by the browser in the cookie ${first.cookie}; Swagger UI cannot set it for "Try it out".`);
    return { type: 'apiKey', in: 'cookie', name: first.cookie };
  }
  if (first.valuePrefix) notes.push(`Paste the token after "${first.valuePrefix}".`);
  return { type: 'apiKey', in: 'header', name: first.header };
}

/** Whether a key URL holds a user name, a password or a query, any of which may be a secret. */
function carriesSecret(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.username !== '' || parsed.password !== '' || parsed.search !== '';
  } catch {
    return true;
  }
}

function describeKeyLocation(location: ApiKeyLocation): string {
  return 'header' in location ? `the header ${location.header}` : `the query parameter ${location.query}`;
}
