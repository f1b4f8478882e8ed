import { SetMetadata, applyDecorators } from '@nestjs/common';
import { SECURED_KEY } from '../endpoints-auth.constants.js';
import type { SecuredOptions, SecurityRequirement } from '../interfaces/requirement.interface.js';
import { documentSecurity } from '../swagger/document-security.decorator.js';

/**
 * Requires a valid token from one of the named security definitions (alternatives, as OpenAPI `security`);
 * on a handler it wins over its controller, on a controller over the spec. With `@nestjs/swagger`, the operation's
 * `security` lists the same alternatives (`{}` last when `optional`).
 * @publicApi
 */
export function Secured(...args: [string, ...string[]] | [string, ...(string | SecuredOptions)[]]) {
  const last = args[args.length - 1];
  const options: SecuredOptions = typeof last === 'object' && last !== null ? last : {};
  const names = args.filter((arg) => typeof arg !== 'object' || arg === null);
  if (names.length === 0 || names.some((name) => typeof name !== 'string' || name === '')) {
    throw new TypeError('@Secured() needs one or more security definition names, e.g. @Secured("firebase")');
  }
  const requirement: SecurityRequirement = { providers: [...new Set(names as string[])], optional: options.optional === true };
  return applyDecorators(SetMetadata(SECURED_KEY, requirement), documentSecurity(requirement));
}
