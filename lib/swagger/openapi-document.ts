/**
 * The parts of an OpenAPI 3 document (as `SwaggerModule.createDocument` makes it) that the Swagger helpers read and
 * write; structural, so `@nestjs/swagger`'s `OpenAPIObject` fits without the library naming that optional peer.
 * @publicApi
 */
export interface OpenApiDocument {
  openapi: string;
  info: object;
  paths: Record<string, object>;
  components?: object;
}

/** The HTTP methods an OpenAPI path item may hold, as its members are spelt. */
export const OPERATION_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;

/** A plain mapping (not null, not a list). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
