import { jwtFactsOf, openApi3JwtScheme } from './endpoints-scheme.js';
import { type OpenApiDocument, isRecord } from './openapi-document.js';
import { assignOperationIds } from './operation-ids.js';

type Json = Record<string, unknown>;

/**
 * An OpenAPI 3 document (already completed by `applyEndpointsSecurity`) as Endpoints and API Gateway document their
 * OpenAPI 3 form: `x-google-api-management` at the top, the service named by the server marked `x-google-endpoint`,
 * and each JWT scheme as `oauth2` with `x-google-auth`.
 */
export function toOpenApi3(document: OpenApiDocument, host: string, apiManagement: Json = {}, extensions: Json = {}): Json {
  const copy = structuredClone(document) as Json & OpenApiDocument;
  assignOperationIds(copy.paths);
  const components: Json = isRecord(copy.components) ? copy.components : {};
  const schemes: Json = isRecord(components['securitySchemes']) ? components['securitySchemes'] : {};
  for (const [name, scheme] of Object.entries(schemes)) {
    if (!isRecord(scheme)) continue;
    const facts = jwtFactsOf(scheme);
    if (facts) schemes[name] = openApi3JwtScheme(facts, scheme['description']);
  }
  const { openapi, info, paths, ...rest } = copy;
  return {
    openapi: openapi.startsWith('3.0.') ? openapi : '3.0.3',
    info,
    servers: [{ url: `https://${host}`, 'x-google-endpoint': {} }],
    'x-google-api-management': apiManagement,
    ...extensions,
    ...Object.fromEntries(Object.entries(rest).filter(([name]) => name !== 'servers' && name !== 'components')),
    paths,
    components: { ...components, securitySchemes: schemes },
  };
}
