import type { HttpRequestLike } from '../token/http-request.interface.js';

/**
 * The path template of the route that matched (`/shelves/:shelf`), with any global prefix: Express keeps it in
 * `req.route.path`, Fastify in `request.routeOptions.url`. `undefined` when the adapter offers neither.
 */
export function routeTemplateOf(request: HttpRequestLike): string | undefined {
  const express = (request['route'] as { path?: unknown } | undefined)?.path;
  if (typeof express === 'string') return express;
  const fastify = (request['routeOptions'] as { url?: unknown } | undefined)?.url;
  return typeof fastify === 'string' ? fastify : undefined;
}

/** The path of the request, without the query. */
export function requestPathOf(request: HttpRequestLike): string {
  const url = request.originalUrl ?? request.url ?? '/';
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
