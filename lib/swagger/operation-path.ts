import { type RouteSyntax, routeVariants } from '../routes/route-path.js';

/**
 * The OpenAPI paths a registered route path is documented under (`/shelves/:id` → `/shelves/{id}`, each variant of
 * an optional part), as Swagger writes them; `undefined` when the router's syntax cannot be read.
 */
export function operationPathsOf(path: string, syntax: RouteSyntax): string[] | undefined {
  const variants = routeVariants(path, syntax);
  if (!variants) return undefined;
  return variants.map((variant) =>
    trimmed(
      variant.segments
        .map((segment) => segment.map((part) => ('text' in part ? part.text : `{${'param' in part ? part.param : part.rest}}`)).join(''))
        .join('/'),
    ),
  );
}

/** A path as compared: a trailing slash does not count, and the root is `/`. */
export function trimmed(path: string): string {
  const withSlash = path.startsWith('/') ? path : `/${path}`;
  return withSlash.length > 1 ? withSlash.replace(/\/+$/, '') || '/' : withSlash;
}
