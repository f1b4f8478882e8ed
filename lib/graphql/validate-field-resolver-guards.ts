import type { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { SECURED_KEY } from '../endpoints-auth.constants.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';

/** @nestjs/graphql's options token and field-resolver metadata key, read without importing it (an optional peer). */
const GRAPHQL_OPTIONS = 'GqlModuleOptions';
const RESOLVE_FIELD = 'graphql:resolve_property';

/**
 * Fails start-up when a field resolver is `@Secured` (on itself or its class) but Nest would never guard it: without
 * `fieldResolverEnhancers: ['guards']` in the GraphQL module's options, Nest runs no guard on field resolvers, and
 * the field would be served to anyone who reaches its parent, through a public query for instance.
 */
export function validateFieldResolverGuards(discovery: DiscoveryService, scanner: MetadataScanner, reflector: Reflector): void {
  const wrappers = discovery.getProviders();
  const options = wrappers.find((wrapper) => wrapper.token === GRAPHQL_OPTIONS)?.instance as
    | { fieldResolverEnhancers?: readonly string[] }
    | undefined;
  // No GraphQL module, or field resolvers are guarded: nothing to refuse.
  if (!options || options.fieldResolverEnhancers?.includes('guards')) return;
  for (const { metatype } of wrappers) {
    if (typeof metatype !== 'function' || !metatype.prototype) continue;
    const prototype = metatype.prototype as Record<string, unknown>;
    for (const method of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[method];
      if (typeof handler !== 'function' || Reflect.getMetadata(RESOLVE_FIELD, handler) !== true) continue;
      const requirement = reflector.getAllAndOverride<SecurityRequirement | undefined>(SECURED_KEY, [handler, metatype]);
      if (!requirement || (requirement.providers.length === 0 && !requirement.apiKey)) continue;
      throw new Error(
        `@Secured on the field resolver ${metatype.name}.${method} would never be checked: Nest runs guards on field ` +
          "resolvers only with fieldResolverEnhancers: ['guards'] in the GraphQL module's options",
      );
    }
  }
}
