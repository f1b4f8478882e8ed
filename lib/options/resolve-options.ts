import type {
  EndpointsAuthOptions,
  ResolvedEndpointsAuthOptions,
} from '../interfaces/endpoints-auth-options.interface.js';
import { SpecError } from '../spec/spec-error.js';

/** Fills in the defaults (ESP's where it has one) and refuses values that cannot work. */
export function resolveOptions(options: EndpointsAuthOptions): ResolvedEndpointsAuthOptions {
  return {
    disableServiceNameAudienceCheck: options.disableServiceNameAudienceCheck ?? false,
    clockSkewSeconds: number('clockSkewSeconds', options.clockSkewSeconds, 60, 0),
    maxTokenBytes: number('maxTokenBytes', options.maxTokenBytes, 8192, 1),
    keyTtlSeconds: number('keyCache.ttlSeconds', options.keyCache?.ttlSeconds, 300, 1),
    fetchTimeoutMs: number('keyCache.fetchTimeoutMs', options.keyCache?.fetchTimeoutMs, 5000, 1),
  };
}

function number(name: string, value: number | undefined, fallback: number, min: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min) {
    throw new SpecError('options', `"${name}" must be a number >= ${min}`);
  }
  return value;
}
