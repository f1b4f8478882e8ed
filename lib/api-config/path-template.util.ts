const WILDCARD = /^(?:\{[^}=]+=\*\*\}|\*\*)(:[^/]*)?$/;

/** Joins path parts (a global prefix, a controller path, a handler path) as Nest does. */
export function joinPaths(...parts: string[]): string {
  return normalise(parts.flatMap((part) => part.split('/')));
}

/** The verb of a wildcard segment (`''` for `**`, `:cancel` for `{name=**}:cancel`); `undefined` for any other. */
export function wildcardVerb(segment: string): string | undefined {
  const wildcard = WILDCARD.exec(segment);
  return wildcard ? (wildcard[1] ?? '') : undefined;
}

/** Whether a template segment is a wildcard (`**` or `{var=**}`, maybe with a `:verb`): it matches any run of segments. */
export function isWildcardSegment(segment: string): boolean {
  return WILDCARD.test(segment);
}

/**
 * The regular expression source of one template segment that is not a wildcard (`{var}` is any text but `/`): used
 * at start-up on a route's literal text; requests are matched by path-matcher.ts, never by a regular expression.
 */
export function segmentSource(segment: string): string {
  return segment
    .split(/(\{[^}]*\})/)
    .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
    .join('');
}

/** The non-empty segments of a path template. */
export function segmentsOf(template: string): string[] {
  return template.split('/').filter((segment) => segment !== '');
}

/**
 * Orders two OpenAPI paths as ESPv2's route trie does: segment by segment, a literal wins over a variable, a
 * variable over a wildcard (`/shelves/featured` before `/shelves/{shelf}` before `/shelves/**`).
 */
export function compareSpecificity(a: string, b: string): number {
  const rank = (segment: string) => (isWildcardSegment(segment) ? 2 : segment.includes('{') ? 1 : 0);
  const left = segmentsOf(a).map(rank);
  const right = segmentsOf(b).map(rank);
  for (let i = 0; i < Math.min(left.length, right.length); i++) {
    if (left[i] !== right[i]) return left[i] - right[i];
  }
  if (left.length !== right.length) return right.length - left.length;
  // A custom verb (`{id}:fetch`) is more specific than the same template without one, which also matches it.
  return Number(hasVerb(b)) - Number(hasVerb(a));
}

/** Whether the last segment of a template ends with a custom verb after a variable or a wildcard (`{id}:fetch`). */
function hasVerb(template: string): boolean {
  const last = segmentsOf(template).pop() ?? '';
  return /\}:[^/{}]+$/.test(last) || (wildcardVerb(last) ?? '') !== '';
}

function normalise(segments: string[]): string {
  return '/' + segments.filter((segment) => segment !== '').join('/');
}
