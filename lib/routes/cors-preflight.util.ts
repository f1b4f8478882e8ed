import { type ExecutionContext, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';

/**
 * A CORS preflight (Envoy's `isCorsPreflightRequest`: OPTIONS with a non-empty Origin and Access-Control-Request-Method) that
 * reaches an `@Options()` handler is never JWT-checked, as ESP never checks one. An `@All()` handler is checked:
 * its logic would otherwise run for any request shaped like a preflight.
 */
export function isCorsPreflight(context: ExecutionContext, request: HttpRequestLike): boolean {
  return (
    request.method === 'OPTIONS' &&
    isPresent(request.headers['origin']) &&
    isPresent(request.headers['access-control-request-method']) &&
    Reflect.getMetadata(METHOD_METADATA, context.getHandler()) === RequestMethod.OPTIONS
  );
}

/** A header sent with a value: Node keeps an empty one as `''`, which Envoy does not count. */
function isPresent(value: string | string[] | undefined): boolean {
  return Array.isArray(value) ? value.some((item) => item !== '') : value !== undefined && value !== '';
}
