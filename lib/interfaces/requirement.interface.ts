/**
 * What a route needs: a token from one of `providers` (OR); `optional` lets a request without any token through.
 * An empty `providers` list means the route is public.
 * @publicApi
 */
export interface SecurityRequirement {
  /** Names of the security definitions whose tokens are accepted; empty for a public route. */
  providers: string[];
  /** Whether a request with no token at all passes (ESPv2's `allow_missing`). */
  optional: boolean;
}

/**
 * Options of `@Secured()`.
 * @publicApi
 */
export interface SecuredOptions {
  /** A request without a token passes with no user; a bad token is still rejected (ESPv2's `allow_missing`) [false]. */
  optional?: boolean;
}
