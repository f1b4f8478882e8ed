import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { requiresIssuedAt } from '../token/issuer.util.js';
import { IssuerOwners } from './issuer-owners.js';
import { describe, isObject } from './load-spec-document.js';
import { protoField } from './proto-field.js';
import { readJwtLocations } from './read-jwt-locations.js';
import { type ProviderContext, listAudiences, readAudiences, readKeys } from './read-providers.js';
import type { ConfigRule } from './resolved-spec.js';
import { patternSubsumes, selectorPatterns } from './selector.util.js';
import { SpecError } from './spec-error.js';

/** The providers and rules of a gRPC service configuration. */
export interface ServiceConfigAuth {
  providers: Map<string, EndpointsProvider>;
  rules: ConfigRule[];
}

/**
 * Reads a gRPC service configuration's `authentication: { providers, rules }` (ESP rules R15–R17): providers as
 * OpenAPI definitions are read (same key sources, audiences and locations), and one requirement per rule. Each field
 * is read under its proto name or its proto3 JSON name (`jwks_uri` or `jwksUri`); members it does not use are ignored,
 * as ESPv2 discards them.
 */
export function readServiceConfig(authentication: unknown, context: ProviderContext): ServiceConfigAuth {
  const { source } = context;
  if (!isObject(authentication)) throw new SpecError(source, `authentication must be a mapping, got ${describe(authentication)}`);
  const providers = readConfigProviders(authentication['providers'], context);
  const raw = authentication['rules'] ?? [];
  if (!Array.isArray(raw)) throw new SpecError(source, `authentication.rules must be a list, got ${describe(raw)}`);
  const rules = raw.map((rule: unknown, index) => readRule(rule, `authentication.rules[${index}]`, providers, context));
  checkSubsumed(rules, source);
  return { providers, rules };
}

function readConfigProviders(raw: unknown, context: ProviderContext): Map<string, EndpointsProvider> {
  const { source, logger } = context;
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new SpecError(source, `authentication.providers must be a non-empty list, got ${describe(raw)}`);
  }
  const providers = new Map<string, EndpointsProvider>();
  const owners = new IssuerOwners(source, 'providers');
  raw.forEach((entry: unknown, index) => {
    const at = `authentication.providers[${index}]`;
    if (!isObject(entry)) throw new SpecError(source, `${at} must be a mapping, got ${describe(entry)}`);
    const name = entry['id'];
    if (typeof name !== 'string' || name === '') throw new SpecError(source, `${at}: id must be a non-empty string`);
    if (providers.has(name)) throw new SpecError(source, `${at}: provider id "${name}" is defined twice`);
    const where = `provider "${name}"`;
    const issuer = entry['issuer'];
    if (typeof issuer !== 'string' || issuer === '') {
      throw new SpecError(source, `${where}: issuer must be a non-empty string, got ${describe(issuer)}`);
    }
    owners.claim(issuer, name);
    const jwksUri = protoField(entry, 'jwks_uri', where, source);
    const locations = protoField(entry, 'jwt_locations', where, source);
    providers.set(name, {
      name,
      issuer,
      keys: readKeys(jwksUri.value, issuer, where, context, jwksUri.name),
      ...readAudiences(entry['audiences'], where, context, 'audiences'),
      locations: readJwtLocations(locations.value, `${where}: ${locations.name}`, source),
      requiresIssuedAt: requiresIssuedAt(issuer),
    });
  });
  return providers;
}

/**
 * One rule as ESPv2 turns it into an Envoy requirement (R15): no requirements, no auth; otherwise any of the named
 * providers, each with the requirement's audiences in place of its own when it lists some; `allow_without_credential`
 * lets a call without a token through.
 */
function readRule(raw: unknown, where: string, providers: ReadonlyMap<string, EndpointsProvider>, context: ProviderContext): ConfigRule {
  const { source } = context;
  if (!isObject(raw)) throw new SpecError(source, `${where} must be a mapping, got ${describe(raw)}`);
  const selector = raw['selector'];
  const patterns = selectorPatterns(selector, where, source);
  const allowField = protoField(raw, 'allow_without_credential', where, source);
  const allow = allowField.value ?? false;
  if (typeof allow !== 'boolean') throw new SpecError(source, `${where}: ${allowField.name} must be a boolean, got ${describe(allow)}`);
  const requirements = raw['requirements'] ?? [];
  if (!Array.isArray(requirements)) throw new SpecError(source, `${where}: requirements must be a list, got ${describe(requirements)}`);
  const names: string[] = [];
  const audiences = new Map<string, string[]>();
  requirements.forEach((entry: unknown, index) => {
    const at = `${where}.requirements[${index}]`;
    if (!isObject(entry)) throw new SpecError(source, `${at} must be a mapping, got ${describe(entry)}`);
    const { value: id, name: idName } = protoField(entry, 'provider_id', at, source);
    const provider = typeof id === 'string' ? providers.get(id) : undefined;
    if (!provider) {
      // ESPv2 refuses such a config ("Required provider ['x'] is not configured."); ESP v1 would refuse every token.
      throw new SpecError(
        source,
        `${at}: ${idName} ${typeof id === 'string' ? `"${id}"` : describe(id)} is not defined; defined: ${[...providers.keys()].join(', ')}`,
      );
    }
    const own = entry['audiences'] === undefined ? [] : listAudiences(entry['audiences'], at, context, 'audiences');
    const effective = own.length > 0 ? own : provider.audiences;
    // The same provider twice is Envoy's requires_any over both: a token passes with either audience list.
    const before = names.includes(provider.name) ? (audiences.get(provider.name) ?? provider.audiences) : undefined;
    if (!before) names.push(provider.name);
    // An empty list accepts any audience (the service-name check is off), so it absorbs the other.
    const merged = !before ? effective : before.length === 0 || effective.length === 0 ? [] : [...new Set([...before, ...effective])];
    if (own.length > 0 || audiences.has(provider.name)) audiences.set(provider.name, merged);
  });
  const requirement: SecurityRequirement = { providers: names, optional: names.length > 0 && allow };
  if (audiences.size > 0) requirement.audiences = audiences;
  return { selector: String(selector), patterns, requirement };
}

/**
 * A later rule whose selector covers any one pattern of an earlier rule leaves that part of it dead: Service
 * Management refuses such a config per pattern ("Subsuming selectors in the same file is not supported",
 * `ConfigRuleSet.minimizeSelectors`), and so does this library.
 */
function checkSubsumed(rules: readonly ConfigRule[], source: string): void {
  rules.forEach((later, index) => {
    for (const [earlierIndex, earlier] of rules.slice(0, index).entries()) {
      if (earlier.patterns.some((pattern) => later.patterns.some((covering) => patternSubsumes(covering, pattern)))) {
        throw new SpecError(
          source,
          `authentication.rules[${index}] (selector "${later.selector}") subsumes rules[${earlierIndex}] (selector "${earlier.selector}"), which would never apply: subsuming selectors in the same file are not supported; put the broader rule first`,
        );
      }
    }
  });
}
