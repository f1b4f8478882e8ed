import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { ResolvedSpec, SpecPath } from '../spec/resolved-spec.js';

/**
 * What the spec requires of a request to `path` (already without the query), as ESP matches the URL: the most
 * specific spec path wins; `undefined` when it requires nothing.
 * - A listed method uses its own `security`, or the API level when it has none; a HEAD without an operation of its
 *   own is the GET it is served as.
 * - A method the path does not list is refused by ESP (405); here it fails closed: the API level, or else a token
 *   of any definition the path's operations name.
 * - A path the spec does not list gets the API level.
 */
export function matchSpecPath(spec: ResolvedSpec, method: string, candidates: readonly string[]): SecurityRequirement | undefined {
  const listed = findPath(spec.paths, candidates);
  if (!listed) return spec.apiRequirement;
  const key = listed.methods.has(method) || method !== 'HEAD' ? method : 'GET';
  if (listed.methods.has(key)) return listed.methods.get(key) ?? spec.apiRequirement;
  return spec.apiRequirement ?? anyOf(listed);
}

/** ESP is case-sensitive; Express and Fastify are not, so a case-only difference still finds its spec path. */
function findPath(paths: readonly SpecPath[], candidates: readonly string[]): SpecPath | undefined {
  for (const property of ['patterns', 'caseless'] as const) {
    for (const path of candidates) {
      const found = paths.find((entry) => entry[property].some((pattern) => pattern.test(path)));
      if (found) return found;
    }
  }
  return undefined;
}

function anyOf(listed: SpecPath): SecurityRequirement | undefined {
  const providers = new Set<string>();
  for (const requirement of listed.methods.values()) requirement?.providers.forEach((name) => providers.add(name));
  return providers.size > 0 ? { providers: [...providers], optional: false } : undefined;
}
