import { ForbiddenException, type HttpException, UnauthorizedException } from '@nestjs/common';
import type { AuthError } from './auth-error.js';

/** Nest's exception for an authentication failure: ESP's message, the stable `errorCode`, 401 or 403. */
export function toHttpException(error: AuthError): HttpException {
  // The body is written out rather than left to Nest 12's `errorCode` option, which Nest 11 does not have.
  const forbidden = error.status === 403;
  const body = { message: error.message, error: forbidden ? 'Forbidden' : 'Unauthorized', statusCode: error.status, errorCode: error.code };
  return forbidden ? new ForbiddenException(body, { cause: error }) : new UnauthorizedException(body, { cause: error });
}

/**
 * The `WWW-Authenticate` value ESPv2 writes (RFC 6750): the realm is the request URI, and `error="invalid_token"`
 * is added unless the token was missing; a token refused by a route's scopes or claims gets
 * `error="insufficient_scope"` (§3.1). The query is left out so a token sent as `?access_token=` is never echoed.
 */
export function wwwAuthenticate(error: AuthError, scheme: string, host: string, path: string): string {
  const realm = `${scheme}://${host}${path.slice(0, 256)}`.replace(/["\\]/g, '\\$&');
  const value = `Bearer realm="${realm}"`;
  if (error.code === 'INSUFFICIENT_SCOPE' || error.code === 'CLAIMS_NOT_ALLOWED') return `${value}, error="insufficient_scope"`;
  // An API-key failure says nothing against the token (it passed, or none was needed): no invalid_token for it.
  return error.code === 'MISSING_TOKEN' || error.code === 'API_KEY_MISSING' || error.code === 'API_KEY_INVALID'
    ? value
    : `${value}, error="invalid_token"`;
}
