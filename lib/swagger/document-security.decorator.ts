import { PATH_METADATA } from '@nestjs/common/constants.js';
import { SECURED_KEY } from '../endpoints-auth.constants.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { securityListOf } from './security-list.js';
import { SWAGGER_API_OPERATION, SWAGGER_API_SECURITY } from './swagger-metadata-keys.js';

/**
 * Writes a `@Secured()` / `@Public()` requirement where `@nestjs/swagger` reads security, so `createDocument` alone
 * shows what the guard enforces; plain metadata, so nothing is loaded when Swagger is absent.
 */
export function documentSecurity(requirement: SecurityRequirement): ClassDecorator & MethodDecorator {
  const list = securityListOf(requirement.providers.length > 0 ? requirement : undefined);
  return ((target: object, _key?: string | symbol, descriptor?: PropertyDescriptor) => {
    if (descriptor) {
      pinOperation(descriptor.value, list);
      return descriptor;
    }
    Reflect.defineMetadata(SWAGGER_API_SECURITY, list, target);
    // Swagger appends a handler's list to its controller's and drops an empty one; our rule is that a handler's own
    // decorator replaces the controller's as a whole, so each handler without one is pinned to the controller's.
    const prototype = (target as { prototype?: object }).prototype ?? {};
    for (const name of Object.getOwnPropertyNames(prototype)) {
      const handler = Object.getOwnPropertyDescriptor(prototype, name)?.value;
      if (typeof handler !== 'function' || !Reflect.hasOwnMetadata(PATH_METADATA, handler)) continue;
      if (Reflect.hasOwnMetadata(SECURED_KEY, handler)) continue;
      pinOperation(handler, list);
    }
    return target;
  }) as ClassDecorator & MethodDecorator;
}

/**
 * Sets a handler's `@ApiSecurity` list and its operation's `security` (through `@ApiOperation`'s metadata, merged
 * with options already there): Swagger copies the latter onto the operation last, so the list is emitted exactly,
 * an empty one included.
 */
function pinOperation(handler: object, list: ReturnType<typeof securityListOf>): void {
  Reflect.defineMetadata(SWAGGER_API_SECURITY, list, handler);
  const operation = (Reflect.getMetadata(SWAGGER_API_OPERATION, handler) as Record<string, unknown> | undefined) ?? {};
  Reflect.defineMetadata(SWAGGER_API_OPERATION, { ...operation, security: list }, handler);
}
