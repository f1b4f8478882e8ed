import { Logger } from '@nestjs/common';
import { applyApiKeysSetting } from '../api-keys/apply-api-keys-setting.js';
import { checkKeyUrls } from '../dev-keys/check-key-urls.js';
import type { EndpointsAuthOptions, ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import { isObject, loadSpecDocument } from './load-spec-document.js';
import { compareSpecificity, joinPaths } from './path-template.util.js';
import { readHttpRules } from './read-http-rules.js';
import { needsApiKey, readUsageRules, withApiKey } from './read-usage-rules.js';
import { readProviders } from './read-providers.js';
import { lastMatchingRule } from './selector.util.js';
import type { RequirementContext } from './read-requirement.js';
import { readSecurityLevel } from './read-security-level.js';
import { readServiceConfig } from './read-service-config.js';
import type { ResolvedSpec, SpecPath } from './resolved-spec.js';
import { SpecError } from './spec-error.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
const logger = new Logger('EndpointsAuthSpec');

/**
 * Reads the spec named by the options (OpenAPI 2 or 3, or a gRPC service configuration) into providers and
 * requirements, then holds its key URLs against the production rule; every problem is a `SpecError`.
 */
export function resolveSpec(options: EndpointsAuthOptions, settings: ResolvedEndpointsAuthOptions): ResolvedSpec {
  const spec = readSpec(options, settings);
  checkKeyUrls(spec, settings, logger);
  return spec;
}

function readSpec(options: EndpointsAuthOptions, settings: ResolvedEndpointsAuthOptions): ResolvedSpec {
  const { source, document } = loadSpecDocument(options.spec);
  const providerContext = {
    source,
    serviceName: settings.serviceName ?? serviceNameOf(document),
    disableServiceNameAudienceCheck: settings.disableServiceNameAudienceCheck,
    logger,
  };
  if (isServiceConfig(document)) {
    const { providers, rules } = readServiceConfig(document['authentication'], providerContext);
    // HTTP routes: a route serving a method through `http.rules` gets its rule; any other route what a `*` rule
    // requires (the empty name matches only `*`), as an unlisted path gets an OpenAPI document's API level.
    const usage = readUsageRules(document, source);
    const apiRequirement = withApiKey(lastMatchingRule(rules, '')?.requirement, needsApiKey(usage, ''));
    const paths = readHttpRules(document['http'], rules, source, usage);
    const config: ResolvedSpec = { source, serviceName: providerContext.serviceName, providers, nonJwt: new Set(), apiKeys: new Map(), apiRequirement, paths, rules, usage };
    return applyApiKeysSetting(config, settings.apiKeys, logger);
  }
  const { providers, nonJwt, apiKeys } = readProviders(document, providerContext);
  const context: RequirementContext = { source, providers, nonJwt, apiKeys, logger };
  // OpenAPI 3 names its definitions under components.securitySchemes (readProviders reads either).
  const openApi3 = document['securityDefinitions'] === undefined;
  const apiRequirement = readSecurityLevel({ members: document, openApi3 }, context);
  const paths = readPaths(document, context, openApi3, apiRequirement);
  const spec = { source, serviceName: providerContext.serviceName, providers, nonJwt, apiKeys, apiRequirement, paths, rules: [] };
  return applyApiKeysSetting(spec, settings.apiKeys, logger);
}

/** A gRPC service configuration (`google.api.Service`): `authentication` and no OpenAPI security definitions. */
function isServiceConfig(document: Record<string, unknown>): boolean {
  const components = isObject(document['components']) ? document['components'] : {};
  return (
    document['authentication'] !== undefined &&
    document['securityDefinitions'] === undefined &&
    components['securitySchemes'] === undefined
  );
}

function readPaths(
  document: Record<string, unknown>,
  context: RequirementContext,
  openApi3: boolean,
  apiRequirement: SecurityRequirement | undefined,
): SpecPath[] {
  const paths = isObject(document['paths']) ? document['paths'] : {};
  const basePath = basePathOf(document);
  const result: SpecPath[] = [];
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    const methods = new Map<string, SecurityRequirement | undefined>();
    for (const method of HTTP_METHODS) {
      const operation = item[method];
      if (!isObject(operation)) continue;
      const level = { members: operation, where: `paths["${path}"].${method}`, openApi3 };
      methods.set(method.toUpperCase(), readSecurityLevel(level, context, apiRequirement));
    }
    const templates = [...new Set([path, joinPaths(basePath, path)])];
    result.push({
      path,
      templates,
      methods,
    });
  }
  return result.sort((a, b) => compareSpecificity(a.path, b.path));
}

/** OpenAPI 2 `host`; OpenAPI 3: the host of the server marked `x-google-endpoint`; a service config's `name`. */
function serviceNameOf(document: Record<string, unknown>): string | undefined {
  if (typeof document['host'] === 'string' && document['host'] !== '') return document['host'];
  if (isServiceConfig(document)) return typeof document['name'] === 'string' && document['name'] !== '' ? document['name'] : undefined;
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
