import { SetMetadata } from '@nestjs/common';
import { SECURED_KEY } from '../endpoints-auth.constants.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';

const PUBLIC: SecurityRequirement = Object.freeze({ providers: [], optional: false }) as SecurityRequirement;

/**
 * Removes any token requirement from a handler or controller (the spec's `security: []`).
 * @publicApi
 */
export const Public = () => SetMetadata(SECURED_KEY, PUBLIC);
