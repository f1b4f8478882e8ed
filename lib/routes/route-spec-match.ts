import type { SpecPath } from '../api-config/resolved-spec.js';
import { type CompiledTemplate, compileTemplate, ignoreCase, matchesTemplate } from '../api-config/path-matcher.js';
import { isWildcardSegment, segmentSource, segmentsOf } from '../api-config/path-template.util.js';
import { isLiteral, type RoutePart, type RouteVariant } from './route-path.js';

/**
 * Which spec paths a route can serve, decided at start-up from the two templates (the route's as the router reads
 * it, the spec's as ESP does), and the concrete path of a request rebuilt from the parameters the router decoded.
 */

/**
 * How the router compares literals: exactly; ignoring case as a JavaScript `i` regular expression does (path-to-regexp,
 * Express's default); or after `toLowerCase()` (find-my-way with `caseSensitive: false`, which also folds `K` KELVIN
 * SIGN to `k`, where an `i` expression does not).
 */
export type CaseFold = 'exact' | 'ignore-case' | 'lower-case';

/** Stands for any parameter value in a representative path: it equals no literal and holds no `/`. */
const ANY = '\u0001';
/** Stands for a `/` inside one decoded parameter value: the router saw one segment, so must the spec match. */
const SLASH_IN_VALUE = '\u0000';

/**
 * Whether some path the variant serves may match the spec template. It may answer yes when there is none (a request
 * then decides), never no when there is one. Literals compare as the router compares them.
 */
export function mayOverlap(variant: RouteVariant, template: string, fold: CaseFold): boolean {
  const route = variant.segments;
  const spec = segmentsOf(fold === 'lower-case' ? template.toLowerCase() : template);
  for (let index = 0; index < Math.max(route.length, spec.length); index++) {
    const ours = route[index];
    const theirs = spec[index];
    if (ours === undefined || theirs === undefined) {
      // Only a wildcard, on either side, can stand for the segments the other side has no more of.
      return route.slice(index).some(isRest) || spec.slice(index).some(isWildcardSegment);
    }
    if (isRest(ours) || isWildcardSegment(theirs)) return true;
    if (!isLiteral(ours)) continue;
    const text = ours.map((part) => part.text).join('');
    const pattern = new RegExp(`^${segmentSource(theirs)}$`, fold === 'ignore-case' ? 'i' : '');
    if (!pattern.test(fold === 'lower-case' ? text.toLowerCase() : text)) return false;
  }
  return true;
}

/** Whether every path the variant serves matches `path` (then no parameter can change the answer). */
export function coversAll(variant: RouteVariant, path: SpecPath, fold: CaseFold): boolean {
  return representatives(variant).every((representative) => matchesSpecPath(path, representative, fold));
}

/** The spec paths, most specific first, that some path the variant serves may match. */
export function candidatesOf(variant: RouteVariant, paths: readonly SpecPath[], fold: CaseFold): SpecPath[] {
  return paths.filter((path) => path.templates.some((template) => mayOverlap(variant, template, fold)));
}

/**
 * Whether a concrete path matches a spec path, literals compared as the router compares them; linear in the path,
 * whatever the template (a request's parameters are the caller's).
 */
export function matchesSpecPath(path: SpecPath, concrete: string, fold: CaseFold): boolean {
  const folded = fold === 'exact' ? concrete : fold === 'ignore-case' ? ignoreCase(concrete) : concrete.toLowerCase();
  return compiledTemplates(path, fold).some((template) => matchesTemplate(template, folded));
}

/** Whether the variant binds a wildcard: its value is a path of its own, which ESP would normalise before matching. */
export function hasRest(variant: RouteVariant): boolean {
  return variant.segments.some(isRest);
}

/**
 * The request's path as the router saw it: the variant's literals and the decoded parameter values, each value one
 * segment (a decoded `/` in it stays inside it), a wildcard's value its segments.
 */
export function concretePath(variant: RouteVariant, params: Readonly<Record<string, unknown>>): string {
  return '/' + variant.segments.map((segment) => segment.map((part) => partValue(part, params)).join('')).join('/');
}

/**
 * A path as ESPv2 normalises it before matching (its defaults: slashes merged, `.` and `..` segments removed, RFC
 * 3986 §5.2.4): what a wildcard's value leads to once a file server or a proxy resolves it.
 */
export function normalizedPath(path: string): string {
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') out.pop();
    else out.push(segment);
  }
  return '/' + out.join('/');
}

function partValue(part: RoutePart, params: Readonly<Record<string, unknown>>): string {
  if ('text' in part) return part.text;
  const name = 'param' in part ? part.param : part.rest;
  const value = Object.hasOwn(params, name) ? params[name] : undefined;
  if ('param' in part) return String(value ?? '').replaceAll('/', SLASH_IN_VALUE);
  // Express hands a wildcard over as its decoded segments; find-my-way as one decoded string.
  if (Array.isArray(value)) return value.map((segment) => String(segment).replaceAll('/', SLASH_IN_VALUE)).join('/');
  return String(value ?? '');
}

/** Paths that stand for every path of the variant: any value for a parameter, zero, one or three segments for a wildcard. */
function representatives(variant: RouteVariant): string[] {
  let paths = [''];
  for (const segment of variant.segments) {
    let texts = [''];
    for (const part of segment) {
      const choices = 'text' in part ? [part.text] : 'param' in part ? [ANY] : ['', ANY, `${ANY}/${ANY}/${ANY}`];
      texts = texts.flatMap((text) => choices.map((choice) => text + choice));
    }
    paths = paths.flatMap((path) => texts.map((text) => `${path}/${text}`));
  }
  return paths.map((path) => path || '/');
}

const FOLDS: Record<CaseFold, (text: string) => string> = {
  exact: (text) => text,
  'ignore-case': ignoreCase,
  'lower-case': (text) => text.toLowerCase(),
};
const compiled = new WeakMap<SpecPath, Map<CaseFold, CompiledTemplate[]>>();

/** The spec path's templates compiled for `fold`, once per spec path and fold. */
function compiledTemplates(path: SpecPath, fold: CaseFold): CompiledTemplate[] {
  let byFold = compiled.get(path);
  if (!byFold) compiled.set(path, (byFold = new Map()));
  let templates = byFold.get(fold);
  if (!templates) byFold.set(fold, (templates = path.templates.map((template) => compileTemplate(template, FOLDS[fold]))));
  return templates;
}

function isRest(segment: readonly RoutePart[]): boolean {
  return segment.some((part) => 'rest' in part);
}
