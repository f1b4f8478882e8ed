/**
 * A path template reduced to a form where OpenAPI and Nest spell the same route the same way: every variable is
 * `{}`, every multi-segment wildcard is `**`, no trailing or doubled slash (`/shelves/{shelf}` = `/shelves/:shelf`).
 */
export function canonicalOpenApiPath(template: string): string {
  return normalise(
    template
      .split('/')
      .map((segment) => (/^\{[^}=]+=\*\*\}$/.test(segment) || segment === '**' ? '**' : segment.replace(/\{[^}]*\}/g, '{}'))),
  );
}

/** The same reduction for a Nest route path (`:param`, `:param?`, `*`, `*name`, `{*name}`). */
export function canonicalNestPath(template: string): string {
  return normalise(
    template
      .split('/')
      .map((segment) => (/^(\*\w*|\{\*\w*\})$/.test(segment) ? '**' : segment.replace(/:\w+\??/g, '{}'))),
  );
}

/** Joins path parts (a global prefix, a controller path, a handler path) as Nest does. */
export function joinPaths(...parts: string[]): string {
  return normalise(parts.flatMap((part) => part.split('/')));
}

function normalise(segments: string[]): string {
  return '/' + segments.filter((segment) => segment !== '').join('/');
}

/**
 * A regular expression for an OpenAPI path template as ESPv2 matches it (`uri_template.go`): `{var}` is one
 * segment, `{var=**}` and `**` any rest, literals exact and case-sensitive, an optional trailing `/`.
 */
export function openApiPathPattern(template: string): RegExp {
  const body = template
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      if (/^\{[^}=]+=\*\*\}$/.test(segment) || segment === '**') return '.*';
      return segment
        .split(/(\{[^}]*\})/)
        .map((part) => (part.startsWith('{') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
        .join('');
    })
    .join('/');
  return new RegExp(`^/${body}/?$`);
}
