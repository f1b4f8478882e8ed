import { writeFileSync } from 'node:fs';
import type { INestApplicationContext } from '@nestjs/common';
import { stringify } from 'yaml';
import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import { ENDPOINTS_AUTH_SPEC } from '../endpoints-auth.constants.js';
import type { OpenApiDocument } from './openapi-document.js';
import { type EndpointsDocumentOptions, toEndpointsDocument } from './to-endpoints-document.js';

/**
 * Writes `toEndpointsDocument(document, options)` to `file` (YAML, or JSON for a `.json` name), the host defaulting
 * to the service name the module read (`serviceName`, the spec's `host`); returns what was written.
 * @publicApi
 */
export function writeEndpointsDocument(
  app: INestApplicationContext,
  document: OpenApiDocument,
  file: string,
  options: Omit<EndpointsDocumentOptions, 'host'> & { host?: string },
): Record<string, unknown> {
  const host = options.host ?? app.get<ResolvedSpec>(ENDPOINTS_AUTH_SPEC, { strict: false }).serviceName;
  if (!host) throw new Error('writeEndpointsDocument: the module knows no service name; pass { host }');
  const written = toEndpointsDocument(document, { ...options, host });
  // Without aliases: a shared object (Swagger reuses `[]`) must not become a YAML anchor ESP's converter may refuse.
  const text = file.endsWith('.json') ? `${JSON.stringify(written, null, 2)}\n` : stringify(written, { aliasDuplicateObjects: false });
  writeFileSync(file, text);
  return written;
}
