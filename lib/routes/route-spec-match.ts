import type { SpecPath } from '../spec/resolved-spec.js';
import { isWildcardSegment, segmentSource, segmentsOf } from '../spec/path-template.util.js';
import { isLiteral, type RoutePart, type RouteVariant } from './route-path.js';

/**
 * Which spec paths a route can serve, decided at start-up from the two templates (the route's as the router reads
 * it, the spec's as ESP does), and the concrete path of a request rebuilt from the parameters the router decoded.
 */

/** Stands for any parameter value in a representative path: it equals no literal and holds no `/`. */
const ANY = '\u0001';
/** Stands for a `/` inside one decoded parameter value: the router saw one segment, so must the spec match. */
const SLASH_IN_VALUE = '\u0000';

/**
 * Whether some path the variant serves may match the spec template. It may answer yes when there is none (a request
 * then decides), never no when there is one. Literals compare as the router compares them (`caseless`).
 */
export function mayOverlap(variant: RouteVariant, template: string, caseless: boolean): boolean {
  const route = variant.segments;
  const spec = segmentsOf(template);
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
    if (!new RegExp(`^${segmentSource(theirs)}$`, caseless ? 'i' : '').test(text)) return false;
  }
  return true;
}

/** Whether every path the variant serves matches one of `patterns` (then no parameter can change the answer). */
export function coversAll(variant: RouteVariant, patterns: readonly RegExp[]): boolean {
  return representatives(variant).every((path) => patterns.some((pattern) => pattern.test(path)));
}

/** The spec paths, most specific first, that some path the variant serves may match. */
export function candidatesOf(variant: RouteVariant, paths: readonly SpecPath[], caseless: boolean): SpecPath[] {
  return paths.filter((path) => path.templates.some((template) => mayOverlap(variant, template, caseless)));
}

/**
 * The request's path as the router saw it: the variant's literals and the decoded parameter values, each value one
 * segment (a decoded `/` in it stays inside it), a wildcard's value its segments.
 */
export function concretePath(variant: RouteVariant, params: Readonly<Record<string, unknown>>): string {
  return '/' + variant.segments.map((segment) => segment.map((part) => partValue(part, params)).join('')).join('/');
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

function isRest(segment: readonly RoutePart[]): boolean {
  return segment.some((part) => 'rest' in part);
}
