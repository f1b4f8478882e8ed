import { SetMetadata, applyDecorators } from '@nestjs/common';
import { compileAuthorization } from '../authorization/compile-authorization.js';
import { SECURED_KEY } from '../endpoints-auth.constants.js';
import type { SecuredOptions, SecurityRequirement } from '../interfaces/requirement.interface.js';
import { documentSecurity } from '../swagger/document-security.decorator.js';

/**
 * Requires a valid token from one of the named security definitions (alternatives, as OpenAPI `security`), and, with
 * `scopes` or `claims`, that the verified token grants those scopes and holds those claims (403 otherwise);
 * on a handler it wins over its controller, on a controller over the spec. With `@nestjs/swagger`, the operation's
 * `security` lists the same alternatives, with the scopes (`{}` last when `optional`).
 * @publicApi
 */
export function Secured(...args: [string, ...string[]] | [string, ...string[], SecuredOptions]) {
  const last = args[args.length - 1];
  const hasOptions = typeof last === 'object' && last !== null;
  const options: SecuredOptions = hasOptions ? last : {};
  const names = hasOptions ? args.slice(0, -1) : args;
  if (names.length === 0 || names.some((name) => typeof name !== 'string' || name === '')) {
    throw new TypeError('@Secured() needs one or more security definition names, e.g. @Secured("firebase"), then its options object last');
  }
  // Compiled here, once: the guard runs the check on every request without reading the options again.
  const authorization = compileAuthorization(options);
  const requirement: SecurityRequirement = { providers: [...new Set(names as string[])], optional: options.optional === true };
  if (authorization) requirement.authorization = authorization;
  return applyDecorators(SetMetadata(SECURED_KEY, requirement), documentSecurity(requirement));
}
