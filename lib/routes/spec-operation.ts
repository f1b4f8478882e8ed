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
 */
export function unionOf(requirements: readonly (SecurityRequirement | undefined)[]): SecurityRequirement | undefined {
  const providers = new Set<string>();
  let apiKey = false;
  let optional = true;
  const audiences = new Map<string, Set<string> | undefined>();
  const locations = new Map<string, NonNullable<SecurityRequirement['apiKeyLocations']>[number]>();
  for (const requirement of requirements) {
    if (!requirement || (requirement.providers.length === 0 && !requirement.apiKey)) continue;
    apiKey ||= requirement.apiKey === true;
    requirement.apiKeyLocations?.forEach((location) => locations.set(JSON.stringify(location), location));
    optional &&= requirement.optional;
    for (const name of requirement.providers) {
      providers.add(name);
      const own = requirement.audiences?.get(name);
      const known = audiences.get(name);
      // A requirement that keeps the definition's own audiences keeps them for the union too.
      if (!own || (audiences.has(name) && !known)) audiences.set(name, undefined);
      else if (known) own.forEach((value) => known.add(value));
      else audiences.set(name, new Set(own));
    }
  }
  if (providers.size === 0 && !apiKey) return undefined;
  const union: SecurityRequirement = { providers: [...providers], optional: optional && providers.size > 0 };
  if (apiKey) union.apiKey = true;
  if (locations.size > 0) union.apiKeyLocations = [...locations.values()];
  const replaced = [...audiences].filter((entry): entry is [string, Set<string>] => entry[1] !== undefined);
  if (replaced.length > 0) union.audiences = new Map(replaced.map(([name, values]) => [name, [...values]]));
  return union;
}
