import type { AbstractHttpAdapter } from '@nestjs/core';
import type { RouteSyntax } from './route-path.js';
import type { CaseFold } from './route-spec-match.js';

/** The part of an HTTP adapter read to know how its router matches (Nest 12 reports it; Nest 11 is read directly). */
type AdapterLike = Pick<AbstractHttpAdapter, 'getType' | 'getInstance'> & {
  getRouteMatchingOptions?: () => { caseSensitive?: boolean };
};

/** Which syntax the adapter's router reads route paths in: find-my-way for Fastify, path-to-regexp 8 otherwise. */
export function routerSyntax(adapter: AdapterLike | undefined): RouteSyntax {
  return adapter?.getType?.() === 'fastify' ? 'find-my-way' : 'path-to-regexp';
}

/**
 * How the router compares literals: Express ignores case (path-to-regexp's `i` expressions) unless `case sensitive
 * routing` is set; Fastify compares `toLowerCase()`d text when `caseSensitive: false`; an adapter that does not say is
 * taken to ignore case (a spec literal then applies to every case the router may route).
 */
export function routerCaseFold(adapter: AdapterLike | undefined): CaseFold {
  const type = adapter?.getType?.();
  const ignoring: CaseFold = type === 'fastify' ? 'lower-case' : 'ignore-case';
  if (!adapter) return ignoring;
  const reported = adapter.getRouteMatchingOptions?.();
  if (reported && typeof reported.caseSensitive === 'boolean') return reported.caseSensitive ? 'exact' : ignoring;
  const instance = adapter.getInstance?.() as Record<string, any> | undefined;
  if (type === 'fastify') {
    const config = instance?.['initialConfig'] ?? {};
    return (config.routerOptions?.caseSensitive ?? config.caseSensitive) === false ? ignoring : 'exact';
  }
  if (type === 'express') return instance?.['router']?.caseSensitive ? 'exact' : ignoring;
  return ignoring;
}
