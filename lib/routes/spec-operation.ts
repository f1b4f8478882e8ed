import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { ResolvedSpec, SpecPath } from '../spec/resolved-spec.js';

/**
 * What the spec requires of `method` on the spec path a request matched (`undefined` path: none matched).
 * - A listed method uses its own `security`, or the API level when it has none; a HEAD without an operation of its
 *   own is the GET it is served as.
 * - A method the path does not list is refused by ESP (405); here it fails closed: the API level, or else a token
 *   of any definition the path's operations name.
 * - A path the spec does not list gets the API level.
 */
export function operationRequirement(spec: ResolvedSpec, listed: SpecPath | undefined, method: string): SecurityRequirement | undefined {
  if (!listed) return spec.apiRequirement;
  const key = listed.methods.has(method) || method !== 'HEAD' ? method : 'GET';
  if (listed.methods.has(key)) return listed.methods.get(key) ?? spec.apiRequirement;
  return spec.apiRequirement ?? unionOf([...listed.methods.values()]);
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
