import type { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { SECURED_KEY } from '../endpoints-auth.constants.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import { SpecError } from '../api-config/spec-error.js';

/**
 * Fails start-up when a `@Secured()` on any controller or provider (GraphQL resolvers are providers) names a
 * definition the spec does not have, instead of failing each request with passport's "Unknown strategy" 500.
 */
export function validateSecuredNames(
  spec: ResolvedSpec,
  discovery: DiscoveryService,
  scanner: MetadataScanner,
  reflector: Reflector,
): void {
  const wrappers = [...discovery.getControllers(), ...discovery.getProviders()];
  for (const { metatype } of wrappers) {
    if (typeof metatype !== 'function' || !metatype.prototype) continue;
    check(spec, reflector.get<SecurityRequirement>(SECURED_KEY, metatype), metatype.name);
    const prototype = metatype.prototype as Record<string, unknown>;
    for (const method of scanner.getAllMethodNames(prototype)) {
      const handler = prototype[method];
      if (typeof handler === 'function') {
        check(spec, reflector.get<SecurityRequirement>(SECURED_KEY, handler), `${metatype.name}.${method}`);
      }
    }
  }
}

function check(spec: ResolvedSpec, requirement: SecurityRequirement | undefined, where: string): void {
  for (const name of requirement?.providers ?? []) {
    if (spec.providers.has(name)) continue;
    if (spec.nonJwt.has(name)) {
      throw new SpecError(spec.source, `@Secured("${name}") on ${where} names a definition without x-google-issuer; it cannot verify a JWT`);
    }
    throw new SpecError(
      spec.source,
      `@Secured("${name}") on ${where} names no security definition; defined: ${[...spec.providers.keys()].join(', ')}`,
    );
  }
}
