import type { Logger } from '@nestjs/common';
import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { requirementText } from '../routes/describe-route.js';
import { matchSpecPath } from '../routes/match-spec-path.js';
import { routedPathOf } from '../routes/route-template.util.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';

/**
 * At most this many endpoint paths are remembered. A driver serves one path (`/graphql`), but on Express the path is
 * the request's own text (`/GraphQL`, `/graphql/` route there too), so the memo is bounded; past it, each request's
 * path is matched on its own, with the same answer.
 */
const MAX_PATHS = 32;

/**
 * What an undecorated resolver requires: the spec operation of the path the GraphQL driver's endpoint was routed on
 * (its endpoint is the driver's route, not a controller's, so the route table does not hold it; docs/routing.md),
 * matched once per method and path and logged the first time.
 */
export class GraphqlEndpointRequirements {
  private readonly byPath = new Map<string, SecurityRequirement | undefined>();

  constructor(
    private readonly spec: ResolvedSpec,
    private readonly logger: Logger,
  ) {}

  /** The spec's requirement for the request's method on its routed path (the API level when the spec has no paths). */
  requirementFor(request: HttpRequestLike | undefined): SecurityRequirement | undefined {
    if (!request || this.spec.paths.length === 0) return this.spec.apiRequirement;
    const method = (request.method ?? 'GET').toUpperCase();
    const path = routedPathOf(request);
    const key = `${method} ${path}`;
    if (this.byPath.has(key)) return this.byPath.get(key);
    const requirement = matchSpecPath(this.spec, method, [path]);
    if (this.byPath.size < MAX_PATHS) {
      this.byPath.set(key, requirement);
      this.logger.verbose(`GraphQL ${key} → ${requirementText(requirement)} (undecorated resolvers)`);
    }
    return requirement;
  }
}
