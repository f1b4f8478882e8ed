import type { ClaimsAuthorization } from '../authorization/claims-authorization.js';
import type { ApiKeyLocation } from './api-keys.interface.js';

/**
 * What a route needs: a token from one of `providers` (OR); `optional` lets a request without any token through;
 * `apiKey` asks for an API key as well. An empty `providers` list without `apiKey` means the route is public.
 * @publicApi
 */
export interface SecurityRequirement {
  /** Names of the security definitions whose tokens are accepted; empty for a public route. */
  providers: string[];
  /** Whether a request with no token at all passes (ESPv2's `allow_missing`). */
  optional: boolean;
  /**
   * Audiences that replace a definition's own for this requirement, by definition name (an OpenAPI 2 `x-security`'s,
   * a service config rule's `requirements[].audiences`, as ESPv2 applies them); absent for the definitions that keep
   * their own.
   */
  audiences?: ReadonlyMap<string, readonly string[]>;
  /**
   * The request also needs an API key (ESP's `allow_unregistered_calls: false`): set when any alternative of the spec's
   * `security` names an apiKey definition; checked after the token, by the `apiKeys` option's validator.
   */
  apiKey?: boolean;
  /** Where the API key is read, from the apiKey definitions named; ESP's defaults (query `key`, `api_key`, header `x-api-key`) when absent. */
  apiKeyLocations?: readonly ApiKeyLocation[];
  /**
   * What `@Secured`'s `scopes` and `claims` ask of the verified token, checked after authentication on every request;
   * absent when they ask nothing, and always for a spec's requirement (ESP ignores OpenAPI's scope lists).
   */
  authorization?: ClaimsAuthorization;
}

/**
 * Options of `@Secured()`.
 * @publicApi
 */
export interface SecuredOptions {
  /** A request without a token passes with no user; a bad token is still rejected (ESPv2's `allow_missing`) [false]. */
  optional?: boolean;
  /**
   * Scopes the token must all grant, in its `scope` (space-delimited) or `scp` claim, compared as whole words;
   * refused with 403 INSUFFICIENT_SCOPE.
   */
  scopes?: string[];
  /**
   * Claims the token must hold, each equal (`===`) to the value given; a dotted name such as
   * `'firebase.sign_in_provider'` reaches a nested claim. Refused with 403 CLAIMS_NOT_ALLOWED.
   */
  claims?: Record<string, string | number | boolean>;
}
