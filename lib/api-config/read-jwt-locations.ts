import { DEFAULT_JWT_LOCATIONS } from '../endpoints-auth.constants.js';
import type { JwtLocation } from '../interfaces/provider.interface.js';
import { isCookieName } from '../token/cookie-name.util.js';
import { describe, isObject } from './load-spec-document.js';
import { protoField } from './proto-field.js';
import { SpecError } from './spec-error.js';

/**
 * Reads `x-google-jwt-locations` (OpenAPI 2), `x-google-auth.jwtLocations` (OpenAPI 3) or a service configuration's
 * `jwt_locations`; each entry's prefix as `value_prefix` or `valuePrefix`, as `google.api.JwtLocation` is read.
 * Custom locations replace ESP's defaults. A `cookie` entry is read as Envoy's `from_cookies` (ESPv2 skips it).
 */
export function readJwtLocations(raw: unknown, where: string, source: string): readonly JwtLocation[] {
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
      if (!isCookieName(name)) {
        throw new SpecError(source, `${at}.cookie must be a cookie name (letters, digits and !#$%&'*+-.^_\`|~), got ${JSON.stringify(name)}`);
      }
      locations.push({ cookie: name });
    } else if (kinds[0] === 'query') {
      locations.push({ query: name });
    } else {
      locations.push(prefix ? { header: name, valuePrefix: prefix as string } : { header: name });
    }
  });
  return locations;
}
