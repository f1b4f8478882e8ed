import type { Logger } from '@nestjs/common';
import { mergeApiKeyLocations } from '../api-keys/api-key-locations.js';
import type { ApiKeyLocation } from '../interfaces/api-keys.interface.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { describe, isObject } from './load-spec-document.js';
import { SpecError } from './spec-error.js';

/** What a `security` list is checked against. */
export interface RequirementContext {
  source: string;
  providers: ReadonlyMap<string, unknown>;
  nonJwt: ReadonlySet<string>;
  /** The apiKey definitions (a subset of `nonJwt`) and where each reads its key. */
  apiKeys: ReadonlyMap<string, readonly ApiKeyLocation[]>;
  logger: Logger;
}

/**
 * Turns an OpenAPI `security` list into a requirement as ESP's converter does (rules R8–R12): alternatives are OR,
 * `[]` means no auth, an empty `{}` is dropped, two JWT definitions in one entry is an error. apiKey names leave the
 * JWT alternatives, and an apiKey named in any of them makes the request need a key besides (`allow_unregistered_calls`).
 */
export function readRequirement(security: unknown, where: string, context: RequirementContext): SecurityRequirement {
  const { source } = context;
  if (!Array.isArray(security)) throw new SpecError(source, `${where}: security must be a list, got ${describe(security)}`);
  const providers: string[] = [];
  const apiKeyLocations: ApiKeyLocation[] = [];
  security.forEach((entry: unknown, index) => {
    if (!isObject(entry)) throw new SpecError(source, `${where}: security[${index}] must be a mapping, got ${describe(entry)}`);
    const names = Object.keys(entry);
    if (names.length === 0) {
      context.logger.warn(
        `${where}: the empty requirement {} in security[${index}] is ignored, as ESP ignores it: it does not make a token optional (use @Secured(name, { optional: true }) for that)`,
      );
      return;
    }
    for (const name of names) {
      if (!context.providers.has(name) && !context.nonJwt.has(name)) {
        throw new SpecError(
          source,
          `${where}: security[${index}] names the unknown security definition "${name}"; defined: ${[...context.providers.keys(), ...context.nonJwt].join(', ')}`,
        );
      }
    }
    const jwtNames = names.filter((name) => context.providers.has(name));
    if (jwtNames.length > 1) {
      throw new SpecError(
        source,
        `${where}: security[${index}] ANDs ${jwtNames.join(' and ')}; ESP supports only alternatives (one definition per entry)`,
      );
    }
    if (jwtNames.length === 1 && !providers.includes(jwtNames[0])) providers.push(jwtNames[0]);
    for (const name of names) {
      const locations = context.apiKeys.get(name);
      if (locations) mergeApiKeyLocations(apiKeyLocations, locations);
    }
  });
  // Only a requirement that asks for a key carries the fields: the others stay as they were.
  if (apiKeyLocations.length === 0) return { providers, optional: false };
  return { providers, optional: false, apiKey: true, apiKeyLocations };
}
