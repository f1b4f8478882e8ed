import type { JwtLocation } from './interfaces/provider.interface.js';

/** Metadata key written by `@Secured()` and `@Public()` and read handler-first by the guard. @publicApi */
export const SECURED_KEY = 'ENDPOINTS_AUTH:SECURED';

/** Injection token of the resolved spec (providers and operation requirements). */
export const ENDPOINTS_AUTH_SPEC = 'ENDPOINTS_AUTH:SPEC';

/**
 * ESP's `Authorization: Bearer` location. Only this object, not a prefix the spec writes, takes the scheme in any
 * case (RFC 7235 §2.1), so it is compared by identity.
 */
export const DEFAULT_AUTHORIZATION_LOCATION: JwtLocation = Object.freeze({ header: 'Authorization', valuePrefix: 'Bearer ' });

/** ESP's token locations when a definition has no `x-google-jwt-locations` (ESPv2 `defaultJwtLocations`). */
export const DEFAULT_JWT_LOCATIONS: readonly JwtLocation[] = Object.freeze([
  DEFAULT_AUTHORIZATION_LOCATION,
  Object.freeze({ header: 'X-Goog-Iap-Jwt-Assertion' }),
  Object.freeze({ query: 'access_token' }),
]);

/** Injection token of the options with every default filled in (`ResolvedEndpointsAuthOptions`). */
export const ENDPOINTS_AUTH_SETTINGS = 'ENDPOINTS_AUTH:SETTINGS';
