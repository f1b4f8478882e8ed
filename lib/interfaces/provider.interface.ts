import type { KeyRecord } from '../keys/key-record.interface.js';

/**
 * Where a token may be found: a header (with an optional case-sensitive prefix), a query parameter, or a cookie (this
 * library's extension: ESP ignores `cookie` locations).
 * @publicApi
 */
export type JwtLocation = { header: string; valuePrefix?: string } | { query: string } | { cookie: string };

/**
 * Where a definition's keys come from: a URL serving a JWKS or Google's X.509 certificate map (auto-detected), an
 * OpenID discovery document naming the JWKS (no `x-google-jwks_uri`), or a base64 symmetric key written in
 * `x-google-jwks_uri`.
 * @publicApi
 */
export type ProviderKeys =
  | { kind: 'remote'; uri: string }
  | { kind: 'discovery'; url: string }
  | { kind: 'symmetric'; record: KeyRecord };

/**
 * One security definition of the spec that names a JWT issuer, resolved to what verification needs.
 * @publicApi
 */
export interface EndpointsProvider {
  /** The definition's key in the spec; also the Passport strategy's name. */
  name: string;
  /** `x-google-issuer`, compared byte for byte with the token's `iss`. */
  issuer: string;
  /** Where the keys come from. */
  keys: ProviderKeys;
  /** Allowed audiences, already sanitised; empty means any audience. */
  audiences: string[];
  /**
   * The sanitised `https://SERVICE_NAME` when the definition lists no audiences (so `audiences` is that one default);
   * a gRPC call then also accepts `https://SERVICE_NAME/<package.Service>` of the service called.
   */
  serviceNameAudience?: string;
  /**
   * The audience a caller would send, as the spec writes it (`https://SERVICE_NAME` for the default): the `aud` of
   * tokens the testing kit and the dev issuer mint; absent when any audience is accepted.
   */
  mintedAudience?: string;
  /** `x-google-jwt-locations` (cookies included), or ESP's defaults. */
  locations: readonly JwtLocation[];
  /** Whether tokens must carry `iat` (Google, Firebase and service-account issuers), decided once when the spec is read. */
  requiresIssuedAt: boolean;
}
