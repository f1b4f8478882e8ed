import type { AbstractHttpAdapter } from '@nestjs/core';
import type { RouteSyntax } from './route-path.js';

/** The part of an HTTP adapter read to know how its router matches (Nest 12 reports it; Nest 11 is read directly). */
type AdapterLike = Pick<AbstractHttpAdapter, 'getType' | 'getInstance'> & {
  getRouteMatchingOptions?: () => { caseSensitive?: boolean };
};

/** Which syntax the adapter's router reads route paths in: find-my-way for Fastify, path-to-regexp 8 otherwise. */
export function routerSyntax(adapter: AdapterLike | undefined): RouteSyntax {
  return adapter?.getType?.() === 'fastify' ? 'find-my-way' : 'path-to-regexp';
}

/**
 * Whether the router matches literals regardless of case: Express unless `case sensitive routing` is set, Fastify
 * when `caseSensitive: false`; an adapter that does not say is taken as caseless (a spec literal then applies to every
 * case the router may route).
 */
export function routesCaseless(adapter: AdapterLike | undefined): boolean {
  if (!adapter) return true;
  const reported = adapter.getRouteMatchingOptions?.();
  if (reported && typeof reported.caseSensitive === 'boolean') return !reported.caseSensitive;
  const instance = adapter.getInstance?.() as Record<string, any> | undefined;
  if (adapter.getType?.() === 'fastify') {
    const config = instance?.['initialConfig'] ?? {};
    return (config.routerOptions?.caseSensitive ?? config.caseSensitive) === false;
  }
  if (adapter.getType?.() === 'express') return !instance?.['router']?.caseSensitive;
  return true;
}
