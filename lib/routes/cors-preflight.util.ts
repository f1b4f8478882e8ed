import type { HttpRequestLike } from '../token/http-request.interface.js';

/** Envoy's definition of a CORS preflight (`isCorsPreflightRequest`): never JWT-checked, as ESP never checks it. */
export function isCorsPreflight(request: HttpRequestLike): boolean {
  return (
    request.method === 'OPTIONS' &&
    request.headers['origin'] !== undefined &&
    request.headers['access-control-request-method'] !== undefined
  );
}
