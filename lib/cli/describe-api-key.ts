import { DEFAULT_API_KEY_LOCATIONS } from '../api-keys/api-key-locations.js';
import type { ApiKeyLocation } from '../interfaces/api-keys.interface.js';

/** What `check` says the app does with an API key: the `--api-keys` mode it was given, or none. */
export type ApiKeysMode = 'validate' | 'unchecked' | undefined;

const FATE: Record<NonNullable<ApiKeysMode> | 'none', string> = {
  validate: 'checked by apiKeys.validate',
  unchecked: "left unchecked (apiKeys: 'unchecked')",
  none: 'start-up fails without apiKeys once a security names it',
};

/** The line `check` prints for an apiKey definition: where its key is read and what the app does with it. */
export function describeApiKey(name: string, locations: readonly ApiKeyLocation[], mode: ApiKeysMode): string {
  return `  ${name}: API key (${describeLocations(locations)}); ${FATE[mode ?? 'none']}`;
}

function describeLocations(locations: readonly ApiKeyLocation[]): string {
  if (locations === DEFAULT_API_KEY_LOCATIONS) {
    return `ESP's defaults: ${locations.map((location) => ('query' in location ? `query ${location.query}` : `header ${location.header}`)).join(', ')}`;
  }
  return locations.map((location) => ('query' in location ? `in: query, name: ${location.query}` : `in: header, name: ${location.header}`)).join('; ');
}
