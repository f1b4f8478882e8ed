import type { Logger } from '@nestjs/common';
import { DEFAULT_JWT_LOCATIONS } from '../endpoints-auth.constants.js';
import type { JwtLocation } from '../interfaces/provider.interface.js';
import { describe, isObject } from './load-spec-document.js';
import { protoField } from './proto-field.js';
import { SpecError } from './spec-error.js';

/**
 * Reads `x-google-jwt-locations` (OpenAPI 2), `x-google-auth.jwtLocations` (OpenAPI 3) or a service configuration's
 * `jwt_locations`; each entry's prefix as `value_prefix` or `valuePrefix`, as `google.api.JwtLocation` is read.
 * Custom locations replace ESP's defaults; `cookie` entries are skipped as ESPv2 skips them.
 */
export function readJwtLocations(raw: unknown, where: string, source: string, logger: Logger): readonly JwtLocation[] {
  // One shared list, so a request reads the default locations once whatever the number of alternatives.
  if (raw === undefined) return DEFAULT_JWT_LOCATIONS;
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new SpecError(source, `${where} must be a non-empty list, got ${describe(raw)}`);
  }
  const locations: JwtLocation[] = [];
  raw.forEach((entry: unknown, index) => {
    const at = `${where}[${index}]`;
    if (!isObject(entry)) throw new SpecError(source, `${at} must be a mapping, got ${describe(entry)}`);
    const prefix = protoField(entry, 'value_prefix', at, source).value;
    const kinds = ['header', 'query', 'cookie'].filter((kind) => entry[kind] !== undefined);
    if (kinds.length !== 1) throw new SpecError(source, `${at} must have exactly one of header, query or cookie`);
    const name = entry[kinds[0]];
    if (typeof name !== 'string' || name === '') throw new SpecError(source, `${at}.${kinds[0]} must be a non-empty string`);
    if (prefix !== undefined && (typeof prefix !== 'string' || kinds[0] !== 'header')) {
      // ESPv2's own wording for a prefix on a query location (configinfo/service_info.go).
      throw new SpecError(source, `${at}: JwtLocation type [${kinds[0]}] should be set without valuePrefix`);
    }
    if (kinds[0] === 'cookie') {
      logger.warn(`${where}: cookie location "${name}" is ignored, as ESPv2 ignores it`);
    } else if (kinds[0] === 'query') {
      locations.push({ query: name });
    } else {
      locations.push(prefix ? { header: name, valuePrefix: prefix as string } : { header: name });
    }
  });
  // Envoy falls back to its own defaults (no IAP header) when every configured location was a cookie.
  return locations.length > 0 ? locations : DEFAULT_JWT_LOCATIONS.filter((l) => !('header' in l) || 'valuePrefix' in l);
}
