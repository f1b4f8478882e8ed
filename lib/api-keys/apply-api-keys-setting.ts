import type { Logger } from '@nestjs/common';
import type { ApiKeysOption } from '../interfaces/api-keys.interface.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import { SpecError } from '../api-config/spec-error.js';

/** The start-up error of a spec that asks for API keys when the `apiKeys` option is not set. */
export class ApiKeysNeededError extends SpecError {}

/**
 * Holds the spec's API keys against the `apiKeys` option at start-up: a validator keeps every `apiKey` flag for the
 * guard; `'unchecked'` logs one warning naming the operations and drops the flags, so no request pays for them;
 * without the option, a spec that asks for a key fails start-up, since ESP would refuse calls without one.
 */
export function applyApiKeysSetting(spec: ResolvedSpec, setting: ApiKeysOption | undefined, logger: Logger): ResolvedSpec {
  if (setting !== undefined && setting !== 'unchecked') return spec;
  const operations = operationsNeedingApiKey(spec);
  if (operations.length === 0) return spec;
  const list = operations.join(', ');
  if (setting === undefined) {
    throw new ApiKeysNeededError(
      spec.source,
      `an API key is required on ${list} (${spec.usage ? 'usage.rules' : 'their security names an apiKey definition'}: ESP has Service Control refuse calls without a valid key), and this library cannot call Service Control: set the apiKeys option to { validate(key, context) } to check keys in the app, or to 'unchecked' to leave them unchecked on purpose`,
    );
  }
  logger.warn(`API keys are not checked (apiKeys: 'unchecked') on ${list}: ESP would have Service Control refuse these calls without a valid key`);
  return withoutApiKeys(spec);
}

/**
 * The operations whose requirement asks for an API key (`GET /books/open`), the API level's included where an
 * operation has no `security` of its own; then the routes the spec does not list when the API level asks for one.
 */
export function operationsNeedingApiKey(spec: ResolvedSpec): string[] {
  const found: string[] = [];
  for (const { path, methods } of spec.paths) {
    for (const [method, requirement] of methods) {
      if ((requirement ?? spec.apiRequirement)?.apiKey) found.push(`${method} ${path}`);
    }
  }
  if (spec.apiRequirement?.apiKey) {
    found.push(spec.usage ? 'every HTTP route no http.rules binding serves' : 'every route the spec does not list (the API-level security)');
  }
  // A service configuration behind Service Control: every gRPC method that no usage rule lets through without a key.
  const usage = spec.usage;
  if (usage && (usage.some((rule) => !rule.allowUnregisteredCalls) || !usage.some((rule) => rule.patterns.includes('*')))) {
    const allowed = usage.filter((rule) => rule.allowUnregisteredCalls).map((rule) => rule.selector);
    found.push(`every gRPC method${allowed.length > 0 ? ` except ${allowed.join(', ')}` : ''} (usage.rules: allow_unregistered_calls is false unless set)`);
  }
  return found;
}

function withoutApiKeys(spec: ResolvedSpec): ResolvedSpec {
  return {
    ...spec,
    usage: undefined,
    apiRequirement: withoutApiKey(spec.apiRequirement),
    paths: spec.paths.map((path) => ({
      ...path,
      methods: new Map([...path.methods].map(([method, requirement]) => [method, withoutApiKey(requirement)])),
    })),
  };
}

function withoutApiKey(requirement: SecurityRequirement | undefined): SecurityRequirement | undefined {
  if (!requirement?.apiKey) return requirement;
  const { apiKey: _, apiKeyLocations: __, ...rest } = requirement;
  return rest;
}
