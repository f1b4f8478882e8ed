import type { Logger } from '@nestjs/common';
import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { requirementText } from './describe-route.js';
import { matchSpecPath } from './match-spec-path.js';
import { routedPathOf } from './route-template.util.js';
import { unionOf } from './spec-operation.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';

/**
 * At most this many endpoint paths are remembered. An endpoint has one path (`/graphql`, `/socket.io/`), but on
 * Express the path is the request's own text (`/GraphQL`, `/graphql/` route there too), so the memo is bounded; past
 * it, each request's path is matched on its own, with the same answer.
 */
const MAX_PATHS = 32;

/**
 * What an undecorated handler behind an endpoint outside the route table requires — a GraphQL driver's endpoint, a
 * WebSocket handshake (neither is a controller's route; docs/routing.md): the spec operation of the path the request
 * was routed on, matched once per method and path and logged the first time.
 */
export class EndpointPathRequirements {
  private readonly byPath = new Map<string, SecurityRequirement | undefined>();
  /** What a handler whose request cannot be read requires: a token of any definition the spec names (fail closed). */
  private readonly unreadable: SecurityRequirement | undefined;

  constructor(
    private readonly spec: ResolvedSpec,
    private readonly logger: Logger,
    /** What the log line names: `GraphQL`, `WebSocket`. */
    private readonly endpoint: string,
    /** Whose requirement it is, for the log line: `undecorated resolvers`. */
    private readonly handlers: string,
    /** The method the spec is asked for; the request's own when absent (a WebSocket handshake is always a GET). */
    private readonly method?: string,
  ) {
    this.unreadable = unionOf([spec.apiRequirement, ...spec.paths.flatMap((path) => [...path.methods.values()])]);
  }

  /**
   * The spec's requirement for the method on the request's routed path (the API level when the spec has no paths).
   * Without a request (a gateway not opened by this library's adapters, a GraphQL context without `req`) the path is
   * unknown, so any path's requirement may apply: a token of any definition, which the guard then refuses as
   * UNSUPPORTED_CONTEXT rather than running the handler under the API level.
   */
  requirementFor(request: HttpRequestLike | undefined): SecurityRequirement | undefined {
    if (!request) return this.unreadable;
    if (this.spec.paths.length === 0) return this.spec.apiRequirement;
    const method = this.method ?? (request.method ?? 'GET').toUpperCase();
    const path = routedPathOf(request);
    const key = `${method} ${path}`;
    if (this.byPath.has(key)) return this.byPath.get(key);
    const requirement = matchSpecPath(this.spec, method, [path]);
    if (this.byPath.size < MAX_PATHS) {
      this.byPath.set(key, requirement);
      this.logger.verbose(`${this.endpoint} ${key} → ${requirementText(requirement)} (${this.handlers})`);
    }
    return requirement;
  }
}
