import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { ResolvedSpec, SpecPath } from '../api-config/resolved-spec.js';

/**
 * The operation method a request's `method` is looked up as among `paths`: the method itself when any of them has
 * it; a HEAD that none of them has is the GET (Express and Fastify serve HEAD with the GET handler).
 */
export function operationMethod(paths: readonly SpecPath[], method: string): string {
  if (method !== 'HEAD' || paths.some((path) => path.methods.has('HEAD'))) return method;
  return 'GET';
}

/**
 * What the spec requires of `method` on a request whose path matches `matching` (most specific first), as ESPv2's
 * route table answers it: the most specific path that has an operation for the method wins (its own `security`, or
 * the API level), since ESPv2 tries every operation (path and method) before its "method not allowed" routes; when
 * paths match but none has the method, ESP answers 405 and this fails closed (the API level, or a token of any
 * definition they name); when none matches, the API level.
 */
export function requirementAmong(spec: ResolvedSpec, matching: readonly SpecPath[], method: string): SecurityRequirement | undefined {
  const key = operationMethod(matching, method);
  for (const path of matching) {
    if (path.methods.has(key)) return path.methods.get(key) ?? spec.apiRequirement;
  }
  if (matching.length === 0) return spec.apiRequirement;
  return spec.apiRequirement ?? unionOf(matching.flatMap((path) => [...path.methods.values()]));
}

/**
 * The fail-closed answer when a request cannot be told apart among several requirements: a token of any definition
 * they name (never open unless every one of them is), an API key when any needs one, optional only when all are.
 * Where one requirement keeps a definition's audiences and another replaces them, a token for either is one of them
 * only when `providers` gives the definition's own list to join; without it the union keeps the definition's own.
 */
export function unionOf(
  requirements: readonly (SecurityRequirement | undefined)[],
  providers?: ReadonlyMap<string, EndpointsProvider>,
): SecurityRequirement | undefined {
  const names = new Set<string>();
  let apiKey = false;
  let optional = true;
  const audiences = new Map<string, Set<string> | undefined>();
  /** The definitions some requirement holds to their own audiences. */
  const keepOwn = new Set<string>();
  const locations = new Map<string, NonNullable<SecurityRequirement['apiKeyLocations']>[number]>();
  for (const requirement of requirements) {
    if (!requirement || (requirement.providers.length === 0 && !requirement.apiKey)) continue;
    apiKey ||= requirement.apiKey === true;
    requirement.apiKeyLocations?.forEach((location) => locations.set(JSON.stringify(location), location));
    optional &&= requirement.optional;
    for (const name of requirement.providers) {
      names.add(name);
      const replacing = requirement.audiences?.get(name);
      if (!replacing) {
        keepOwn.add(name);
        continue;
      }
      const joined = audiences.get(name) ?? new Set<string>();
      replacing.forEach((value) => joined.add(value));
      audiences.set(name, joined);
    }
  }
  if (names.size === 0 && !apiKey) return undefined;
  for (const name of keepOwn) {
    const replaced = audiences.get(name);
    const own = providers?.get(name)?.audiences;
    // A definition that lists none accepts any audience; without its list the union keeps its own (fail closed).
    if (!replaced || !own || own.length === 0) audiences.set(name, undefined);
    else own.forEach((value) => replaced.add(value));
  }
  const union: SecurityRequirement = { providers: [...names], optional: optional && names.size > 0 };
  if (apiKey) union.apiKey = true;
  if (locations.size > 0) union.apiKeyLocations = [...locations.values()];
  const replaced = [...audiences].filter((entry): entry is [string, Set<string>] => entry[1] !== undefined);
  if (replaced.length > 0) union.audiences = new Map(replaced.map(([name, values]) => [name, [...values]]));
  return union;
}
