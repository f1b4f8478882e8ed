import type { ApiKeyLocation } from '../interfaces/api-keys.interface.js';
import { describe } from '../api-config/load-spec-document.js';
import { SpecError } from '../api-config/spec-error.js';

/** ESPv2's API-key locations when a definition names none, in the order they are read (its Service Control filter). */
export const DEFAULT_API_KEY_LOCATIONS: readonly ApiKeyLocation[] = Object.freeze([
  Object.freeze({ query: 'key' }),
  Object.freeze({ query: 'api_key' }),
  Object.freeze({ header: 'x-api-key' }),
]);

/** Where an apiKey definition's key is read: its `in` and `name`, or ESP's defaults when it gives neither. */
export function readApiKeyLocations(name: string, definition: Record<string, unknown>, source: string): readonly ApiKeyLocation[] {
  const place = definition['in'];
  const parameter = definition['name'];
  if (place === undefined && parameter === undefined) return DEFAULT_API_KEY_LOCATIONS;
  const where = `security definition "${name}"`;
  if (typeof parameter !== 'string' || parameter === '') {
    throw new SpecError(source, `${where}: name (the API key's query parameter or header) must be a non-empty string, got ${describe(parameter)}`);
  }
  if (place === 'query') return [{ query: parameter }];
  if (place === 'header') return [{ header: parameter }];
  // A cookie (OpenAPI 3) or a typo must not leave a key that can never be found, or be looked for in the wrong place.
  const got = typeof place === 'string' ? `"${place}"` : describe(place);
  throw new SpecError(source, `${where}: in must be "query" or "header" (where the API key is read), got ${got}`);
}

/** Adds `more` to `locations`, each place once (header names compared without case, as they are read). */
export function mergeApiKeyLocations(locations: ApiKeyLocation[], more: readonly ApiKeyLocation[]): void {
  for (const location of more) {
    const same = locations.some((known) =>
      'query' in location ? 'query' in known && known.query === location.query : 'header' in known && known.header.toLowerCase() === location.header.toLowerCase(),
    );
    if (!same) locations.push(location);
  }
}
