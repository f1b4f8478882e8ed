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

/**
 * The path a request outside the route table (a GraphQL driver's endpoint) was routed on: the route the router
 * matched when it reports one (Fastify, Mercurius), else the request target's path without its query, its fragment
 * and the origin of an absolute-form target, which routers drop before matching.
 */
export function routedPathOf(request: HttpRequestLike): string {
  const template = routeTemplateOf(request);
  if (template !== undefined) return template;
  const target = request.originalUrl ?? request.url ?? '/';
  const end = target.search(/[?#]/);
  const path = end === -1 ? target : target.slice(0, end);
  if (path.startsWith('/')) return path;
  try {
    return new URL(path).pathname;
  } catch {
    return path;
  }
}
