import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { ConfigRule } from '../spec/resolved-spec.js';
import { patternMatches } from '../spec/selector.util.js';

/**
 * What a service config requires of the gRPC method `method` (`pkg.Service.Method`): the requirement of the LAST rule
 * whose selector matches, as a whole (ESP rule R17: requirements are never merged); `undefined` when no rule matches.
 */
export function matchConfigRule(rules: readonly ConfigRule[], method: string): SecurityRequirement | undefined {
  for (let index = rules.length - 1; index >= 0; index--) {
    if (rules[index].patterns.some((pattern) => patternMatches(pattern, method))) return rules[index].requirement;
  }
  return undefined;
}
