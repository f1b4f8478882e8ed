import { type ExecutionContext, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';

/**
 * A CORS preflight (Envoy's `isCorsPreflightRequest`: OPTIONS with Origin and Access-Control-Request-Method) that
 * reaches an `@Options()` handler is never JWT-checked, as ESP never checks one. An `@All()` handler is checked:
 * its logic would otherwise run for any request shaped like a preflight.
 */
export function isCorsPreflight(context: ExecutionContext, request: HttpRequestLike): boolean {
  return (
    request.method === 'OPTIONS' &&
    request.headers['origin'] !== undefined &&
    request.headers['access-control-request-method'] !== undefined &&
    Reflect.getMetadata(METHOD_METADATA, context.getHandler()) === RequestMethod.OPTIONS
  );
}
