import { Logger } from '@nestjs/common';
import type { ApiKeysOption } from '../interfaces/api-keys.interface.js';
import type {
  EndpointsAuthOptions,
  ResolvedEndpointsAuthOptions,
} from '../interfaces/endpoints-auth-options.interface.js';
import { describe } from '../api-config/load-spec-document.js';
import { SpecError } from '../api-config/spec-error.js';
import { productionSignal } from '../dev-keys/production-signal.js';
import { readDevJwksUri } from '../dev-keys/dev-jwks-uri.js';
import { resolveDefinitionOptions } from './resolve-definition-options.js';

const KNOWN_OPTIONS = new Set([
  'spec', 'serviceName', 'disableServiceNameAudienceCheck', 'clockSkewSeconds', 'maxTokenBytes', 'keyCache', 'tokenCache', 'userInfoHeader', 'apiKeys', 'allowInsecureKeyUrls', 'tracing', 'definitions', 'isGlobal', 'globalGuard',
]);
const KNOWN_TOKEN_CACHE_OPTIONS = new Set(['maxEntries', 'maxBytes', 'ttlSeconds']);
const KNOWN_KEY_CACHE_OPTIONS = new Set(['ttlSeconds', 'fetchTimeoutMs', 'maxBodyBytes', 'unknownKidCooldownSeconds', 'staleGraceSeconds', 'eager']);
const logger = new Logger('EndpointsAuthOptions');
/**
 * Node's default `--max-http-header-size`, which bounds a whole request head: every token a default server can
 * receive is read (ESPv2's long-claims fixture is 11,493 bytes), and nothing larger is decoded.
 */
const DEFAULT_MAX_TOKEN_BYTES = 16 * 1024;

/**
 * Fills in the defaults (ESP's where it has one), refuses values that cannot work and warns about unknown names; reads
 * `NODE_ENV` and `ENDPOINTS_AUTH_DEV_JWKS_URI` from `env` once, here.
 */
export function resolveOptions(options: EndpointsAuthOptions, env: NodeJS.ProcessEnv = process.env): ResolvedEndpointsAuthOptions {
  if (typeof options !== 'object' || options === null) throw new SpecError('options', 'the options must be an object with "spec"');
  warnUnknown(options, KNOWN_OPTIONS, '');
  if (options.keyCache !== undefined) warnUnknown(options.keyCache, KNOWN_KEY_CACHE_OPTIONS, 'keyCache.');
  const tokenCache = options.tokenCache;
  if (tokenCache !== undefined && tokenCache !== false && (typeof tokenCache !== 'object' || tokenCache === null)) {
    throw new SpecError('options', '"tokenCache" must be false or an object');
  }
  if (tokenCache) warnUnknown(tokenCache, KNOWN_TOKEN_CACHE_OPTIONS, 'tokenCache.');
  if (options.serviceName !== undefined && (typeof options.serviceName !== 'string' || options.serviceName === '')) {
    throw new SpecError('options', '"serviceName" must be a non-empty string');
  }
  // A string such as "false" from an environment variable must not switch a security check off.
  const disable = options.disableServiceNameAudienceCheck;
  if (disable !== undefined && typeof disable !== 'boolean') {
    throw new SpecError('options', '"disableServiceNameAudienceCheck" must be true or false');
  }
  const userInfoHeader = options.userInfoHeader ?? 'espv2';
  if (userInfoHeader !== false && userInfoHeader !== 'espv2' && userInfoHeader !== 'esp') {
    throw new SpecError('options', '"userInfoHeader" must be false, "espv2" or "esp"');
  }
  if (disable) logger.warn('the service-name audience check is disabled: definitions without x-google-audiences accept any audience');
  return {
    serviceName: options.serviceName,
    disableServiceNameAudienceCheck: disable === true,
    clockSkewSeconds: number('clockSkewSeconds', options.clockSkewSeconds, 60, 0, 3600),
    maxTokenBytes: number('maxTokenBytes', options.maxTokenBytes, DEFAULT_MAX_TOKEN_BYTES, 1),
    keyTtlSeconds: number('keyCache.ttlSeconds', options.keyCache?.ttlSeconds, 300, 1),
    fetchTimeoutMs: number('keyCache.fetchTimeoutMs', options.keyCache?.fetchTimeoutMs, 5000, 1),
    maxBodyBytes: number('keyCache.maxBodyBytes', options.keyCache?.maxBodyBytes, 1024 * 1024, 1024),
    unknownKidCooldownSeconds: number('keyCache.unknownKidCooldownSeconds', options.keyCache?.unknownKidCooldownSeconds, 30, 1),
    staleGraceSeconds: number('keyCache.staleGraceSeconds', options.keyCache?.staleGraceSeconds, 3600, 0),
    eager: boolean('keyCache.eager', options.keyCache?.eager),
    tokenCache:
      tokenCache === false
        ? false
        : {
            maxEntries: number('tokenCache.maxEntries', tokenCache?.maxEntries, 1000, 1),
            maxBytes: number('tokenCache.maxBytes', tokenCache?.maxBytes, 8 * 1024 * 1024, 1024),
            ttlMs: number('tokenCache.ttlSeconds', tokenCache?.ttlSeconds, 300, 1) * 1000,
          },
    userInfoHeader,
    apiKeys: apiKeysOf(options.apiKeys),
    allowInsecureKeyUrls: boolean('allowInsecureKeyUrls', options.allowInsecureKeyUrls),
    definitions: resolveDefinitionOptions(options.definitions),
    devJwksUri: readDevJwksUri(env),
    production: productionSignal(env),
    tracing: options.tracing === undefined ? true : boolean('tracing', options.tracing),
  };
}

/** A validator object or `'unchecked'`; anything else (a bare function, `true`, a key) would leave keys unchecked unseen. */
function apiKeysOf(value: unknown): ApiKeysOption | undefined {
  if (value === undefined || value === 'unchecked') return value;
  if (typeof value === 'object' && value !== null && typeof (value as { validate?: unknown }).validate === 'function') {
    return value as ApiKeysOption;
  }
  // `describe` gives the kind only: a mistyped value may be an API key, which must not reach a log.
  throw new SpecError('options', `"apiKeys" must be an object with a validate(key, context) method, or "unchecked"; got ${describe(value)}`);
}

/** A misspelt or not-yet-supported option would otherwise be ignored without a word (plain JavaScript callers). */
function warnUnknown(options: object, known: ReadonlySet<string>, prefix: string): void {
  for (const name of Object.keys(options)) {
    if (!known.has(name)) logger.warn(`option "${prefix}${name}" is not supported by this version and is ignored`);
  }
}

function boolean(name: string, value: boolean | undefined): boolean {
  if (value !== undefined && typeof value !== 'boolean') throw new SpecError('options', `"${name}" must be true or false`);
  return value === true;
}

function number(name: string, value: number | undefined, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `>= ${min}` : `from ${min} to ${max}`;
    throw new SpecError('options', `"${name}" must be a number ${range}`);
  }
  return value;
}
