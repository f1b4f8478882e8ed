import { listAudiences } from './read-providers.js';
import { describe, isObject } from './load-spec-document.js';
import type { RequirementContext } from './read-requirement.js';
import { SpecError } from './spec-error.js';

/**
 * Reads an OpenAPI 2 `x-security` list (`[{ <definition>: { audiences: [a, b] } }, ...]`, rule R14) as the API
 * Compiler does (`AuthRuleGenerator.getSecurityRequirements`): alternatives (OR) of JWT definitions only, each with the
 * audiences that replace the definition's own (none listed keeps them), in the order first named; a definition named
 * again takes its last entry's audiences; `{}` entries are dropped. `at` is where the list sits (`x-security`,
 * `paths["/a"].get.x-security`), for messages.
 */
export function readXSecurity(raw: unknown, at: string, context: RequirementContext): Map<string, string[]> {
  const { source } = context;
  if (!Array.isArray(raw)) throw new SpecError(source, `${at} must be a list, got ${describe(raw)}`);
  const result = new Map<string, string[]>();
  raw.forEach((entry: unknown, index) => {
    const where = `${at}[${index}]`;
    if (!isObject(entry)) throw new SpecError(source, `${where} must be a mapping, got ${describe(entry)}`);
    const names = Object.keys(entry);
    for (const name of names) {
      if (context.providers.has(name)) continue;
      // The API Compiler knows only the oauth2 definitions here: an apiKey one is refused like an unknown name.
      const kind = context.nonJwt.has(name) ? `names "${name}", which is not a JWT definition` : `names the unknown security definition "${name}"`;
      throw new SpecError(source, `${where} ${kind}; x-security takes JWT definitions: ${[...context.providers.keys()].join(', ')}`);
    }
    if (names.length > 1) {
      throw new SpecError(source, `${where} ANDs ${names.join(' and ')}; ESP supports only alternatives (one definition per entry)`);
    }
    const [name] = names;
    if (name === undefined) return;
    const audiences = audiencesOf(entry[name], `${where}.${name}`, context);
    if (result.has(name)) {
      context.logger.warn(`${where} names "${name}" again: its audiences replace the earlier entry's, as the API Compiler keeps the last`);
    }
    result.set(name, audiences);
  });
  return result;
}

/**
 * `{ audiences: [...] }`: the API Compiler reads it into a list of strings, so a missing list, a comma-separated string
 * or anything else is a deploy error there; its entries are joined with `,` and ESPv2 splits them again, so an entry
 * may itself hold several, sanitised as a definition's audiences are.
 */
function audiencesOf(value: unknown, where: string, context: RequirementContext): string[] {
  const { source } = context;
  if (!isObject(value)) throw new SpecError(source, `${where} must be a mapping with audiences (a list of strings), got ${describe(value)}`);
  const audiences = value['audiences'];
  if (!Array.isArray(audiences) || !audiences.every((entry) => typeof entry === 'string')) {
    const got = Array.isArray(audiences) ? 'a list with an entry that is not a string' : describe(audiences);
    throw new SpecError(source, `${where}.audiences must be a list of strings, got ${got}`);
  }
  // An empty list keeps the definition's audiences (ESPv2 replaces them only with a non-empty list).
  if (audiences.length === 0) return [];
  return listAudiences(audiences.join(','), where, context, 'audiences');
}
