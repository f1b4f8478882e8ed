import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { ResolvedSpec, SpecPath } from '../api-config/resolved-spec.js';
import { matchesSpecPath } from './route-spec-match.js';
import { requirementAmong } from './spec-operation.js';

/**
 * What the spec requires of a request to one of `candidates` (paths without the query), as ESP matches a URL: the
 * most specific spec path wins. Used only where no route table applies (a GraphQL driver's endpoint); HTTP routes
 * are decided by the table.
 */
export function matchSpecPath(spec: ResolvedSpec, method: string, candidates: readonly string[]): SecurityRequirement | undefined {
  const found = findPath(spec.paths, candidates);
  return requirementAmong(spec, found ? [found] : [], method);
}

/** ESP is case-sensitive; Express and Fastify may not be, so a case-only difference still finds its spec path. */
function findPath(paths: readonly SpecPath[], candidates: readonly string[]): SpecPath | undefined {
  for (const fold of ['exact', 'ignore-case'] as const) {
    for (const path of candidates) {
      const found = paths.find((entry) => matchesSpecPath(entry, path, fold));
      if (found) return found;
    }
  }
  return undefined;
}
