import type { Logger } from '@nestjs/common';
import { readApiKeyLocations } from '../api-keys/api-key-locations.js';
import type { ApiKeyLocation } from '../interfaces/api-keys.interface.js';
import type { EndpointsProvider, ProviderKeys } from '../interfaces/provider.interface.js';
import { discoveryUrl, serviceAccountCertsUrl } from '../keys/key-source-location.js';
import { MIN_HMAC_KEY_BYTES, isUrl, isWeakSecret, symmetricKeyFromSpec } from '../keys/symmetric-key.js';
import { sanitizeAudience } from '../token/audience.util.js';
import { requiresIssuedAt } from '../token/issuer.util.js';
import { IssuerOwners } from './issuer-owners.js';
import { describe, isObject } from './load-spec-document.js';
import { readJwtLocations } from './read-jwt-locations.js';
import { SpecError } from './spec-error.js';

/** What the providers are read with, besides the document. */
export interface ProviderContext {
  source: string;
  serviceName?: string;
  disableServiceNameAudienceCheck: boolean;
  logger: Logger;
}

/**
 * The security definitions of a spec: JWT providers by name, names that are valid but not JWT (apiKey among them),
 * and the apiKey definitions with where each reads its key.
 */
export interface ReadProviders {
  providers: Map<string, EndpointsProvider>;
  nonJwt: Set<string>;
  apiKeys: Map<string, readonly ApiKeyLocation[]>;
}

/** Turns OpenAPI 2 `securityDefinitions` or OpenAPI 3 `components.securitySchemes` into providers (ESP rule R1). */
export function readProviders(document: Record<string, unknown>, context: ProviderContext): ReadProviders {
  const { source } = context;
  const components = isObject(document['components']) ? document['components'] : {};
  const definitions = document['securityDefinitions'] ?? components['securitySchemes'];
  if (!isObject(definitions) || Object.keys(definitions).length === 0) {
    throw new SpecError(source, 'no security definitions (securityDefinitions or components.securitySchemes)');
  }
  const result: ReadProviders = { providers: new Map(), nonJwt: new Set(), apiKeys: new Map() };
  const owners = new IssuerOwners(source, 'security definitions');
  for (const [name, definition] of Object.entries(definitions)) {
    if (!isObject(definition)) {
      throw new SpecError(source, `security definition "${name}" must be a mapping, got ${describe(definition)}`);
    }
    const provider = readProvider(name, definition, context);
    if (!provider) {
      result.nonJwt.add(name);
      if (definition['type'] === 'apiKey') result.apiKeys.set(name, readApiKeyLocations(name, definition, source));
      continue;
    }
    owners.claim(provider.issuer, name);
    result.providers.set(name, provider);
  }
  if (result.providers.size === 0) {
    throw new SpecError(source, `no security definition names an issuer (x-google-issuer); found ${[...result.nonJwt].join(', ')}`);
  }
  return result;
}

function readProvider(name: string, definition: Record<string, unknown>, context: ProviderContext) {
  const { source, logger } = context;
  const where = `security definition "${name}"`;
  const auth = isObject(definition['x-google-auth']) ? definition['x-google-auth'] : undefined;
  const issuer = auth?.['issuer'] ?? definition['x-google-issuer'] ?? definition['x-issuer'];
  const type = definition['type'];
  if (issuer === undefined) {
    if (type === 'oauth2' || type === 'openIdConnect') throw new SpecError(source, `${where} has no x-google-issuer`);
    if (type !== 'apiKey') logger.warn(`${where} (type ${String(type)}) is not a JWT definition and is ignored`);
    return undefined;
  }
  if (typeof issuer !== 'string' || issuer === '') {
    throw new SpecError(source, `${where}: x-google-issuer must be a non-empty string, got ${describe(issuer)}`);
  }
  const keys = readKeys(auth?.['jwksUri'] ?? definition['x-google-jwks_uri'] ?? definition['x-jwks_uri'], issuer, where, context);
  const field = auth?.['jwtLocations'] !== undefined ? 'x-google-auth.jwtLocations' : 'x-google-jwt-locations';
  const locations = readJwtLocations(auth?.['jwtLocations'] ?? definition['x-google-jwt-locations'], `${where}: ${field}`, source);
  const audiences = readAudiences(auth?.['audiences'] ?? definition['x-google-audiences'], where, context);
  return { name, issuer, keys, ...audiences, locations, requiresIssuedAt: requiresIssuedAt(issuer) } satisfies EndpointsProvider;
}

/**
 * `x-google-jwks_uri` (a service config's `jwks_uri`: `field` names it) as a URL; as a base64 symmetric key (the
 * seeds' wording); absent: Google's certificate URL for a service-account issuer (Google documents the inference,
 * ESPv2 does not do it), else OpenID discovery (ESPv2).
 */
export function readKeys(raw: unknown, issuer: string, where: string, context: ProviderContext, field = 'x-google-jwks_uri'): ProviderKeys {
  if (raw === undefined) {
    const inferred = serviceAccountCertsUrl(issuer);
    if (!inferred) return { kind: 'discovery', url: discoveryUrl(issuer) };
    context.logger.log(`${where}: no ${field}; using the service account's certificates at ${inferred}`);
    return { kind: 'remote', uri: inferred };
  }
  if (typeof raw !== 'string' || raw === '') {
    throw new SpecError(context.source, `${where}: ${field} must be an http(s) URL or a base64 key, got ${describe(raw)}`);
  }
  if (isUrl(raw)) return { kind: 'remote', uri: raw };
  const record = symmetricKeyFromSpec(raw);
  if (!record) throw new SpecError(context.source, `${where}: ${field} is neither an http(s) URL nor a base64 key`);
  // A placeholder ("TODO", "none") decodes to a few bytes anyone can guess: refused, never merely warned about.
  if (isWeakSecret(record)) {
    throw new SpecError(context.source, `${where}: the symmetric key in ${field} is shorter than ${MIN_HMAC_KEY_BYTES} bytes`);
  }
  return { kind: 'symmetric', record };
}

/** ESPv2 splits on `,` and trims; empty entries are dropped (ESPv2 keeps them as `""`, which accepts `aud: ""`). */
export function listAudiences(
  raw: unknown,
  where: string,
  context: Pick<ProviderContext, 'source' | 'logger'>,
  field = 'x-google-audiences',
): string[] {
  const { source } = context;
  let entries: string[];
  if (raw === undefined) entries = [];
  else if (typeof raw === 'string') entries = raw.split(',');
  else if (Array.isArray(raw) && raw.every((entry) => typeof entry === 'string')) entries = raw;
  else throw new SpecError(source, `${where}: ${field} must be a comma-separated string or a list of strings, got ${describe(raw)}`);
  // Emptiness is judged after sanitising: "https://" would otherwise become "" and allow `aud: ""`.
  const sanitized = entries.map((entry) => sanitizeAudience(entry.trim()));
  if (sanitized.includes('')) context.logger.warn(`${where}: empty entries in ${field} are ignored`);
  return sanitized.filter((entry) => entry !== '');
}

/**
 * A definition's audiences: those it lists, else `https://SERVICE_NAME` (ESPv2), which also marks the definition as
 * one whose gRPC calls accept the service URL (`serviceNameAudience`); none when the service-name check is off.
 */
export function readAudiences(
  raw: unknown,
  where: string,
  context: ProviderContext,
  field = 'x-google-audiences',
): Pick<EndpointsProvider, 'audiences' | 'serviceNameAudience' | 'mintedAudience'> {
  const audiences = listAudiences(raw, where, context, field);
  if (audiences.length > 0) return { audiences, mintedAudience: firstAsWritten(raw) };
  if (context.disableServiceNameAudienceCheck) return { audiences };
  if (!context.serviceName) {
    throw new SpecError(
      context.source,
      `${where} has no ${field} and the service name is unknown: set "host" in the spec ("name" in a service config), the serviceName option, or disableServiceNameAudienceCheck`,
    );
  }
  // ESPv2 accepts https://SERVICE_NAME when a provider lists no audience (filtergen/jwt_authn.go).
  const serviceNameAudience = sanitizeAudience(`https://${context.serviceName}`);
  return { audiences: [serviceNameAudience], serviceNameAudience, mintedAudience: `https://${serviceNameAudience}` };
}

/** The first non-empty audience of a list already read by `listAudiences`, trimmed but otherwise as the spec writes it. */
function firstAsWritten(raw: unknown): string | undefined {
  const entries = typeof raw === 'string' ? raw.split(',') : (raw as string[]);
  return entries.map((entry) => entry.trim()).find((entry) => sanitizeAudience(entry) !== '');
}
