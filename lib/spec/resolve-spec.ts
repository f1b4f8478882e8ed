import { Logger } from '@nestjs/common';
import type { EndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import { isObject, loadSpecDocument } from './load-spec-document.js';
import { canonicalOpenApiPath, joinPaths, openApiPathPattern } from './path-template.util.js';
import { readProviders } from './read-providers.js';
import { readRequirement, type RequirementContext } from './read-requirement.js';
import type { ResolvedSpec, SpecOperation } from './resolved-spec.js';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const logger = new Logger('EndpointsAuthSpec');

/** Reads the spec named by the options into providers and requirements; every problem is a `SpecError`. */
export function resolveSpec(options: EndpointsAuthOptions): ResolvedSpec {
  const { source, document } = loadSpecDocument(options.spec);
  const { providers, nonJwt } = readProviders(document, {
    source,
    serviceName: options.serviceName ?? serviceNameOf(document),
    disableServiceNameAudienceCheck: options.disableServiceNameAudienceCheck ?? false,
    logger,
  });
  const context: RequirementContext = { source, providers, nonJwt, logger };
  const apiRequirement =
    document['security'] === undefined ? undefined : readRequirement(document['security'], 'security', context);
  return { source, providers, nonJwt, apiRequirement, operations: readOperations(document, context) };
}

function readOperations(document: Record<string, unknown>, context: RequirementContext): SpecOperation[] {
  const paths = isObject(document['paths']) ? document['paths'] : {};
  const basePath = basePathOf(document);
  const operations: SpecOperation[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation) || operation['security'] === undefined) continue;
      const where = `paths["${path}"].${method}`;
      const templates = [...new Set([path, joinPaths(basePath, path)])];
      operations.push({
        method: method.toUpperCase(),
        path,
        canonicalPaths: templates.map(canonicalOpenApiPath),
        patterns: templates.map(openApiPathPattern),
        requirement: readRequirement(operation['security'], where, context),
      });
    }
  }
  return operations;
}

/** OpenAPI 2 `host`; OpenAPI 3: the host of the server marked `x-google-endpoint`. */
function serviceNameOf(document: Record<string, unknown>): string | undefined {
  if (typeof document['host'] === 'string' && document['host'] !== '') return document['host'];
  const servers = Array.isArray(document['servers']) ? document['servers'] : [];
  const endpoint = servers.find((server) => isObject(server) && server['x-google-endpoint'] !== undefined);
  try {
    return endpoint ? new URL(String(endpoint['url'])).host : undefined;
  } catch {
    return undefined;
  }
}

/** OpenAPI 2 `basePath`; OpenAPI 3: the path of the first server URL. */
function basePathOf(document: Record<string, unknown>): string {
  if (typeof document['basePath'] === 'string') return document['basePath'];
  const server = Array.isArray(document['servers']) ? document['servers'][0] : undefined;
  if (!isObject(server) || typeof server['url'] !== 'string') return '';
  try {
    return new URL(server['url'], 'http://relative').pathname;
  } catch {
    return '';
  }
}
