import { SetMetadata, applyDecorators } from '@nestjs/common';
import { SECURED_KEY } from '../endpoints-auth.constants.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { documentSecurity } from '../swagger/document-security.decorator.js';

const PUBLIC: SecurityRequirement = Object.freeze({ providers: [], optional: false }) as SecurityRequirement;

/**
 * Removes any token requirement from a handler or controller (the spec's `security: []`); with `@nestjs/swagger`,
 * the operation's `security` is `[]`.
 * @publicApi
 */
export const Public = () => applyDecorators(SetMetadata(SECURED_KEY, PUBLIC), documentSecurity(PUBLIC));
