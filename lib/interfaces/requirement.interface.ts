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
  /**
   * Audiences that replace a definition's own for this requirement, by definition name (a service config rule's
   * `requirements[].audiences`, as ESPv2 applies them); absent for the definitions that keep their own.
   */
  audiences?: ReadonlyMap<string, readonly string[]>;
}

/**
 * Options of `@Secured()`.
 * @publicApi
 */
export interface SecuredOptions {
  /** A request without a token passes with no user; a bad token is still rejected (ESPv2's `allow_missing`) [false]. */
  optional?: boolean;
}
