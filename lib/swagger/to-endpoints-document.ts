import { OPERATION_METHODS, type OpenApiDocument, isRecord } from './openapi-document.js';
import { dropOptionalAlternatives } from './optional-alternative.js';
import { toOpenApi2, topLevelExtensions } from './to-openapi2.js';
import { toOpenApi3 } from './to-openapi3.js';

/**
 * Options of `toEndpointsDocument()` and `writeEndpointsDocument()`.
 * @publicApi
 */
export interface EndpointsDocumentOptions {
  /** The form written: OpenAPI 2 (ESP, ESPv2, API Gateway) or Endpoints' OpenAPI 3 form. */
  openapi: '2.0' | '3.0';
  /** The service name (`host`, or the `x-google-endpoint` server); `writeEndpointsDocument` defaults it to the module's. */
  host: string;
  /** The backend's address: `x-google-backend` (OpenAPI 2), a backend of `x-google-api-management` (OpenAPI 3). */
  backendAddress?: string;
  /** More members of OpenAPI 3's `x-google-api-management` (metrics, quota, `allowCors`, ...). */
  apiManagement?: Record<string, unknown>;
}

/**
 * A Swagger document completed by `applyEndpointsSecurity` as an Endpoints document (a new object; `document` is left
 * as it is), which `EndpointsAuthModule.forRoot` reads back as the same requirements; an optional token, which
 * OpenAPI cannot give ESP, is written as required, and the operation's description says so.
 * @publicApi
 */
export function toEndpointsDocument(document: OpenApiDocument, options: EndpointsDocumentOptions): Record<string, unknown> {
  if (typeof options?.host !== 'string' || !/^[^\s/:]+(:\d+)?$/.test(options.host)) {
    throw new TypeError(`toEndpointsDocument: host must be a service name such as "api.endpoints.PROJECT.cloud.goog", got ${JSON.stringify(options?.host)}`);
  }
  if (typeof document?.openapi !== 'string' || !document.openapi.startsWith('3.') || !isRecord(document.paths)) {
    throw new TypeError('toEndpointsDocument: expected an OpenAPI 3 document with paths, as SwaggerModule.createDocument makes it');
  }
  const source = structuredClone(document);
  dropOptionalAlternatives(source.paths);
  if (options.openapi === '2.0') {
    const backend = options.backendAddress ? { 'x-google-backend': { address: options.backendAddress } } : {};
    return toOpenApi2(source, options.host, { ...topLevelExtensions(source), ...backend });
  }
  if (options.openapi === '3.0') {
    const where = xSecurityOperation(source.paths);
    if (where) {
      throw new TypeError(
        `toEndpointsDocument: ${where} has x-security (audiences that replace a definition's own), which Endpoints documents for OpenAPI 2 only; write openapi: "2.0"`,
      );
    }
    const backends = options.backendAddress ? { backends: { backend: { address: options.backendAddress } } } : {};
    const extensions = options.backendAddress ? { 'x-google-backend': 'backend' } : {};
    return toOpenApi3(source, options.host, { ...backends, ...options.apiManagement }, extensions);
  }
  throw new TypeError(`toEndpointsDocument: openapi must be "2.0" or "3.0", got ${JSON.stringify((options as { openapi?: unknown }).openapi)}`);
}

/** The first operation (`GET /a`) that carries `x-security`, which the OpenAPI 3 form has no documented place for. */
function xSecurityOperation(paths: Record<string, unknown>): string | undefined {
  for (const [path, item] of Object.entries(paths)) {
    if (!isRecord(item)) continue;
    const method = OPERATION_METHODS.find((name) => isRecord(item[name]) && (item[name] as Record<string, unknown>)['x-security'] !== undefined);
    if (method) return `${method.toUpperCase()} ${path}`;
  }
  return undefined;
}
