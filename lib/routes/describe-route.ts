import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { RouteSecurity, RouteSecurityCase } from '../interfaces/route-security.interface.js';
import type { ResolvedSpec, SpecPath } from '../api-config/resolved-spec.js';
import type { RouteEntry } from './route-entry.js';
import { operationMethod, requirementAmong, unionOf } from './spec-operation.js';

/** What the table says of one route, one row per method (an `@All()` route: each method the spec lists, then `ALL`). */
export function describeRoute(entry: RouteEntry, spec: ResolvedSpec): RouteSecurity[] {
  const { route, decision } = entry;
  const handler = route.name;
  if (decision.kind === 'declared') {
    const { requirement } = decision;
    const open = requirement.providers.length === 0 && !requirement.apiKey;
    return [{ method: route.method, path: route.path, handler, source: open ? '@Public' : '@Secured', requirement: open ? undefined : requirement }];
  }
  const candidates = entry.candidates();
  const methods =
    route.method !== 'ALL' ? [route.method] : [...new Set(candidates.flatMap((path) => [...path.methods.keys()]))].sort().concat('ALL');
  return methods.map((method): RouteSecurity => {
    const row = { method, path: route.path, handler };
    const outcome = entry.outcomeFor(method);
    if (decision.kind === 'spec' && outcome.kind === 'settled') {
      return { ...row, source: sourceOf(spec, outcome.decidedBy, method), requirement: orNothing(outcome.requirement) };
    }
    // Placed per request (or not at all): what each spec path it can serve needs, and what an unplaced request needs.
    const cases: RouteSecurityCase[] = candidates
      .filter((path) => path.methods.has(operationMethod([path], method)))
      .map((path) => ({ source: sourceOf(spec, path, method), requirement: orNothing(requirementAmong(spec, [path], method)) }));
    cases.push({ source: sourceOf(spec, undefined, method), requirement: orNothing(spec.apiRequirement) });
    const source = decision.kind === 'unresolved' ? 'unresolved' : 'parameters';
    return { ...row, source, requirement: orNothing(unionOf(entry.possible())), cases };
  });
}

/** One log line: `GET /v1/shelves/:shelf → firebase | auth0 (spec GET /shelves/{shelf})`. */
export function routeLine(row: RouteSecurity): string {
  const head = `${row.method} ${row.path} → `;
  if (!row.cases) return `${head}${requirementText(row.requirement)} (${row.source}, ${row.handler})`;
  // A wildcard route can land on any spec path: the line names the first few.
  const shown = row.cases.length > 6 ? [...row.cases.slice(0, 5), row.cases[row.cases.length - 1]] : row.cases;
  let cases = shown.map((entry) => `${entry.source}: ${requirementText(entry.requirement)}`).join('; ');
  if (shown.length < row.cases.length) cases = cases.replace(/; ([^;]*)$/, `; … ${row.cases.length - shown.length} more; $1`);
  return `${head}by its parameters [${cases}] (${row.handler})`;
}

/**
 * `firebase | auth0`, each definition with the audiences that replace its own (`firebase (aud a, b)`), with
 * `optional` and `API key` where they apply; `nothing` for a public route.
 */
export function requirementText(requirement: SecurityRequirement | undefined): string {
  if (!requirement) return 'nothing';
  const names = requirement.providers.map((name) => {
    const audiences = requirement.audiences?.get(name);
    return audiences ? `${name} (aud ${audiences.join(', ')})` : name;
  });
  const parts = names.length > 0 ? [names.join(' | ')] : [];
  if (requirement.optional) parts.push('optional');
  if (requirement.apiKey) parts.push('API key');
  return parts.join(', ') || 'nothing';
}

function sourceOf(spec: ResolvedSpec, path: SpecPath | undefined, method: string): string {
  // Under a service config, what a route no binding decides is what the `*` rule requires.
  const apiLevel = !spec.apiRequirement ? 'none' : spec.rules.length > 0 ? 'rule *' : 'spec security';
  if (!path) return apiLevel;
  const key = operationMethod([path], method);
  if (!path.methods.has(key)) return spec.apiRequirement ? apiLevel : `spec ${path.path} (${method} not listed)`;
  const selector = path.selectors?.get(key);
  if (selector) return `rule ${selector}`;
  return path.methods.get(key) ? `spec ${key} ${path.path}` : `spec ${key} ${path.path} (spec security)`;
}

function orNothing(requirement: SecurityRequirement | undefined): SecurityRequirement | undefined {
  return requirement && (requirement.providers.length > 0 || requirement.apiKey) ? requirement : undefined;
}
