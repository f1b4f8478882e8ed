import { AuthError } from '../errors/auth-error.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { VerifiedToken } from '../strategies/request-authenticator.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { connectionOf } from './ws-connections.js';

/**
 * What a gateway message handler requiring `requirement` gets from its connection's verdict (no token is verified
 * again); throws the `AuthError` ESP would answer, UNSUPPORTED_CONTEXT when no adapter of this library opened it.
 */
export function verdictForMessage(request: HttpRequestLike, requirement: SecurityRequirement): VerifiedToken | undefined {
  const connection = connectionOf(request);
  if (!connection) throw new AuthError('UNSUPPORTED_CONTEXT', 'Jwt cannot be read from a "ws" context');
  return connection.against(requirement);
}
