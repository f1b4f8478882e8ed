/**
 * Where a token may be found: a header (with an optional case-sensitive prefix) or a query parameter.
 * @publicApi
 */
export type JwtLocation = { header: string; valuePrefix?: string } | { query: string };

/**
 * One security definition of the spec that names a JWT issuer, resolved to what verification needs.
 * @publicApi
 */
export interface EndpointsProvider {
  /** The definition's key in the spec; also the Passport strategy's name. */
  name: string;
  /** `x-google-issuer`, compared byte for byte with the token's `iss`. */
  issuer: string;
  /** `x-google-jwks_uri`. */
  jwksUri: string;
  /** Allowed audiences, already sanitised; empty means any audience. */
  audiences: string[];
  /** `x-google-jwt-locations`, or ESP's defaults. */
  locations: JwtLocation[];
}
