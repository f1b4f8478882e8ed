import { SpecError } from './spec-error.js';

/**
 * A name component: letters, digits and `_`. Protobuf names never start with a digit, but the API a config generated
 * from an OpenAPI document serves does (`1.bookstore_endpoints_my_project_cloud_goog.ListShelves`).
 */
const NAME = '[A-Za-z0-9_]+';
const PATTERN = new RegExp(`^(\\*|${NAME}(\\.${NAME})*(\\.\\*)?)$`);

/**
 * The patterns of a service config selector (ESP rule R17): comma-separated; each `*`, `a.b.*` (any name starting
 * with `a.b.`) or a full name; a wildcard only as the whole last component. Anything else is a start-up error.
 */
export function selectorPatterns(selector: unknown, where: string, source: string): string[] {
  if (typeof selector !== 'string' || selector.trim() === '') {
    throw new SpecError(source, `${where}: selector must be a non-empty string`);
  }
  const patterns = selector.split(',').map((pattern) => pattern.trim());
  // Service Management drops one trailing empty pattern ("a.B.C,", a common way to write lists); so does this.
  if (patterns.length > 1 && patterns[patterns.length - 1] === '') patterns.pop();
  for (const pattern of patterns) {
    if (!PATTERN.test(pattern)) {
      throw new SpecError(
        source,
        `${where}: selector pattern "${pattern}" is not "*", "package.Service.*" or a full method name (a wildcard may only be the whole last component)`,
      );
    }
  }
  return patterns;
}

/** Whether a pattern names the full method name `method` (`pkg.Service.Method`). */
export function patternMatches(pattern: string, method: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('.*')) return method.startsWith(pattern.slice(0, -1));
  return pattern === method;
}

/** The last of `rules` whose selector names `method` (the rule that applies to it, ESP rule R17), if any. */
export function lastMatchingRule<T extends { patterns: readonly string[] }>(rules: readonly T[], method: string): T | undefined {
  for (let index = rules.length - 1; index >= 0; index--) {
    if (rules[index].patterns.some((pattern) => patternMatches(pattern, method))) return rules[index];
  }
  return undefined;
}

/** Whether every name `earlier` matches is matched by `later` too (a wildcard subsumes what it covers). */
export function patternSubsumes(later: string, earlier: string): boolean {
  if (later === '*' || later === earlier) return true;
  if (!later.endsWith('.*')) return false;
  const prefix = later.slice(0, -1);
  return earlier !== '*' && earlier.startsWith(prefix);
}
