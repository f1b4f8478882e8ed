import type { SecurityRequirement } from './requirement.interface.js';

/**
 * How one HTTP route of the app is protected, as the guard decides it: `RouteRequirements.routeTable()` returns one
 * per method and registered path, so a team can snapshot its API's security in a test.
 * @publicApi
 */
export interface RouteSecurity {
  /** The HTTP method (`GET`, ...); `ALL` for the methods of an `@All()` route that the spec does not list. */
  method: string;
  /** The path as registered with the router (global prefix, version, `RouterModule` and controller paths included). */
  path: string;
  /** The handler, as `Controller.method`. */
  handler: string;
  /**
   * What decided: `@Secured`, `@Public`, `spec GET /shelves/{shelf}` (an operation), `spec security` (the API level),
   * `rule pkg.Service.Method` (a service config rule; `rule *` for routes no `http.rules` binding serves), `none`, or `parameters` when the answer depends on the
   * parameters the router decodes (see `cases`).
   */
  source: string;
  /** What a request needs; `undefined` when nothing. With `cases`, what a request that cannot be placed needs. */
  requirement?: SecurityRequirement;
  /** When the answer depends on the parameters: each spec path the route can serve, most specific first. */
  cases?: RouteSecurityCase[];
}

/**
 * One spec path a parameterised route can serve, and what a request placed on it needs.
 * @publicApi
 */
export interface RouteSecurityCase {
  /** What decides for requests the path matches (`spec GET /shelves/featured`), or `none` for those it does not. */
  source: string;
  /** What those requests need; `undefined` when nothing. */
  requirement?: SecurityRequirement;
}
