import type { INestApplicationContext } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import { ENDPOINTS_AUTH_SPEC } from '../endpoints-auth.constants.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { RouteSecurity } from '../interfaces/route-security.interface.js';
import { RouteRequirements } from '../routes/route-requirements.js';
import { routerSyntax } from '../routes/router-options.js';
import { unionOf } from '../routes/spec-operation.js';
import { OPERATION_METHODS, type OpenApiDocument, isRecord } from './openapi-document.js';
import { operationPathsOf, trimmed } from './operation-path.js';
import { securityListOf, xSecurityListOf } from './security-list.js';
import { servedApiKeyScheme, servedJwtScheme } from './served-scheme.js';

/**
 * Completes a Swagger document from what the guard enforces: each operation of a route gets that route's `security`
 * (decorators, the spec's operation or its API level, as `RouteRequirements.routeTable()` says) and `x-security` where
 * its audiences replace a definition's own, and
 * `components.securitySchemes` gets the spec's definitions with their `x-google-*` members. Call it once the app is
 * initialised (after `app.init()`, or in the document factory given to `SwaggerModule.setup`); returns `document`.
 * @publicApi
 */
export function applyEndpointsSecurity<T extends OpenApiDocument>(app: INestApplicationContext, document: T): T {
  const { spec, rows, syntax } = groundTruthOf(app);
  const byOperation = rowsByOperation(rows, syntax);
  let operations = 0;
  for (const [path, item] of Object.entries(document.paths)) {
    if (!isRecord(item)) continue;
    for (const method of OPERATION_METHODS) {
      const operation = item[method];
      if (!isRecord(operation)) continue;
      operations++;
      const key = trimmed(path);
      const found = byOperation.get(`${method.toUpperCase()} ${key}`) ?? byOperation.get(`ALL ${key}`);
      // An operation no route of the table serves (another app's, or one added by hand) is left as it is.
      if (!found) continue;
      const requirement = found.length === 1 ? found[0] : unionOf(found);
      operation['security'] = securityListOf(requirement, apiKeyNamesOf(requirement, spec));
      // Audiences that replace a definition's own (x-security, a service config rule's) travel as x-security.
      const replaced = xSecurityListOf(requirement);
      if (replaced) operation['x-security'] = replaced;
      else delete operation['x-security'];
    }
  }
  if (operations > 0 && rows.length === 0) {
    throw new Error(
      'applyEndpointsSecurity: the route table is empty; call it after app.init(), or pass SwaggerModule.setup a document factory',
    );
  }
  const components: Record<string, unknown> = isRecord(document.components) ? document.components : {};
  const schemes: Record<string, unknown> = isRecord(components['securitySchemes']) ? components['securitySchemes'] : {};
  for (const [name, provider] of spec.providers) schemes[name] = servedJwtScheme(provider);
  for (const [name, locations] of spec.apiKeys ?? []) schemes[name] = servedApiKeyScheme(locations);
  components['securitySchemes'] = schemes;
  document.components = components;
  return document;
}

/** The module's resolved spec, its route table and the router's syntax, with a clear error when the module is absent. */
function groundTruthOf(app: INestApplicationContext) {
  let spec: ResolvedSpec;
  let routes: RouteRequirements;
  try {
    spec = app.get<ResolvedSpec>(ENDPOINTS_AUTH_SPEC, { strict: false });
    routes = app.get(RouteRequirements, { strict: false });
  } catch {
    throw new Error('applyEndpointsSecurity: the app does not import EndpointsAuthModule');
  }
  const adapter = app.get(HttpAdapterHost, { strict: false })?.httpAdapter;
  return { spec, rows: routes.routeTable(), syntax: routerSyntax(adapter) };
}

/**
 * The requirements of each `METHOD /openapi/{path}` (`ALL` for an `@All()` route's other methods). A row whose answer
 * depends on the parameters gives its `requirement`, the fail-closed union of its cases: what a caller that cannot be
 * placed needs. Several handlers on one operation (header or media-type versioning) are joined the same way.
 */
function rowsByOperation(rows: readonly RouteSecurity[], syntax: ReturnType<typeof routerSyntax>) {
  const byOperation = new Map<string, (SecurityRequirement | undefined)[]>();
  for (const row of rows) {
    for (const path of operationPathsOf(row.path, syntax) ?? []) {
      const key = `${row.method} ${path}`;
      byOperation.set(key, [...(byOperation.get(key) ?? []), row.requirement]);
    }
  }
  return byOperation;
}

/** The apiKey definitions a requirement reads its key from: those whose every location it lists. */
function apiKeyNamesOf(requirement: SecurityRequirement | undefined, spec: ResolvedSpec): string[] {
  if (!requirement?.apiKey) return [];
  const wanted = new Set((requirement.apiKeyLocations ?? []).map((location) => JSON.stringify(location)));
  return [...(spec.apiKeys ?? [])]
    .filter(([, locations]) => locations.every((location) => wanted.has(JSON.stringify(location))))
    .map(([name]) => name);
}
