import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';

/**
 * The lines `check` prints for requirements whose audiences replace a definition's own (OpenAPI `x-security`, a
 * service config requirement's `audiences`): where, which definition, and the audiences a token must then carry.
 */
export function describeReplacedAudiences(spec: ResolvedSpec): string[] {
  const lines: string[] = [];
  const add = (where: string, requirement: SecurityRequirement | undefined) => {
    for (const [name, audiences] of requirement?.audiences ?? []) lines.push(`  ${where}: ${name} → ${audiences.join(', ')}`);
  };
  if (spec.rules.length > 0) {
    for (const rule of spec.rules) add(`rule ${rule.selector}`, rule.requirement);
  } else {
    add('the API level', spec.apiRequirement);
    for (const { path, methods } of spec.paths) for (const [method, requirement] of methods) add(`${method} ${path}`, requirement);
  }
  return lines.length === 0 ? [] : ['audiences that replace a definition\'s own:', ...lines];
}
