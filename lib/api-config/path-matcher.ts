import { segmentsOf, wildcardVerb } from './path-template.util.js';

/**
 * Matches a path against a spec path template in time linear in the path (ESPv2 matches with RE2): a JavaScript
 * regular expression of a template with several variables in one segment (`/tiles/{z}-{x}-{y}`) backtracks
 * polynomially on a long parameter, which any caller may send.
 */

/** Marks a variable in a segment: one or more characters other than `/`. */
const VARIABLE = Symbol('variable');

/** One segment of a compiled template: literal text and variables, or a wildcard over segments with an optional verb. */
type SegmentPattern = { parts: (string | typeof VARIABLE)[] } | { rest: true; verb: string };

/** A template compiled once, in the case its literals are compared in. */
export type CompiledTemplate = readonly SegmentPattern[];

/** Compiles a template (`/shelves/{shelf}`, `/files/{path=**}`, `/v1/{name=**}:cancel`), its literals put through `fold`. */
export function compileTemplate(template: string, fold: (text: string) => string = (text) => text): CompiledTemplate {
  return segmentsOf(template).map((segment): SegmentPattern => {
    const verb = wildcardVerb(segment);
    if (verb !== undefined) return { rest: true, verb: fold(verb) };
    const parts = segment
      .split(/(\{[^}]*\})/)
      .filter((part) => part !== '')
      .map((part) => (part.startsWith('{') ? VARIABLE : fold(part)));
    return { parts };
  });
}

/**
 * Whether `path` (starting with `/`, already folded as the template was) matches, as `^/<template>/?$` would: a
 * variable is one or more characters of one segment, a wildcard any run of whole segments (possibly one empty
 * segment) ending with its verb, and one trailing `/` is allowed.
 */
export function matchesTemplate(template: CompiledTemplate, path: string): boolean {
  if (!path.startsWith('/')) return false;
  const body = path.slice(1);
  // The root template is `^//?$`.
  if (template.length === 0) return body === '' || body === '/';
  if (matchesSegments(template, body.split('/'))) return true;
  return body.endsWith('/') && matchesSegments(template, body.slice(0, -1).split('/'));
}

/** Dynamic programming over (template segment, path segment), from the end: O(template × path). */
function matchesSegments(template: CompiledTemplate, segments: readonly string[]): boolean {
  const count = segments.length;
  // next[j]: the template from i + 1 on matches segments from j on.
  let next = new Array<boolean>(count + 1).fill(false);
  next[count] = true;
  for (let i = template.length - 1; i >= 0; i--) {
    const pattern = template[i];
    const current = new Array<boolean>(count + 1).fill(false);
    if ('rest' in pattern) {
      // The wildcard takes segments j..k (k ≥ j) and the last of them ends with the verb.
      let reachable = false;
      for (let k = count - 1; k >= 0; k--) {
        reachable ||= next[k + 1] && segments[k].endsWith(pattern.verb);
        current[k] = reachable;
      }
    } else {
      for (let j = 0; j < count; j++) current[j] = next[j + 1] && matchesParts(pattern.parts, segments[j]);
    }
    next = current;
  }
  return next[0];
}

/**
 * Literal text and variables within one segment: the first literal is a prefix, the last a suffix, the ones between
 * found left to right with at least one character before each (leftmost placement leaves the most room), O(n × parts).
 */
function matchesParts(parts: readonly (string | typeof VARIABLE)[], text: string): boolean {
  if (!parts.includes(VARIABLE)) return parts.join('') === text;
  // Literals between variables; consecutive variables have an empty literal between them.
  const literals: string[] = [''];
  for (const part of parts) {
    if (part === VARIABLE) literals.push('');
    else literals[literals.length - 1] += part;
  }
  const first = literals[0];
  const last = literals[literals.length - 1];
  if (!text.startsWith(first) || !text.endsWith(last)) return false;
  let position = first.length;
  for (const literal of literals.slice(1, -1)) {
    const found = text.indexOf(literal, position + 1);
    if (found === -1) return false;
    position = found + literal.length;
  }
  return text.length - last.length >= position + 1;
}

/**
 * What a JavaScript `i` regular expression compares (without the `u` flag): each code unit upper-cased, unless that
 * maps a non-ASCII unit to ASCII (so U+212A KELVIN SIGN stays itself); length-preserving.
 */
export function ignoreCase(text: string): string {
  let out = '';
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    const upper = char.toUpperCase();
    out += upper.length === 1 && !(char.charCodeAt(0) >= 128 && upper.charCodeAt(0) < 128) ? upper : char;
  }
  return out;
}
