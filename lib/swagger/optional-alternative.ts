import { OPERATION_METHODS, isRecord } from './openapi-document.js';

/** What an operation's description gains when its `{}` alternative is dropped. */
export const OPTIONAL_NOTE =
  'The app lets a request without a token through here (@Secured with optional); an Endpoints document cannot say so (ESP ignores {}), so the proxy requires one.';

/**
 * Drops the `{}` alternative (an optional token) from every operation's `security`, as ESP ignores it, and says so in
 * the operation's description: OpenAPI gives ESP no way to make a token optional.
 */
export function dropOptionalAlternatives(paths: Record<string, unknown>): void {
  for (const item of Object.values(paths)) {
    if (!isRecord(item)) continue;
    for (const method of OPERATION_METHODS) {
      const operation = item[method];
      if (!isRecord(operation) || !Array.isArray(operation['security'])) continue;
      const kept = operation['security'].filter((entry) => !isRecord(entry) || Object.keys(entry).length > 0);
      if (kept.length === operation['security'].length || kept.length === 0) continue;
      operation['security'] = kept;
      const description = typeof operation['description'] === 'string' && operation['description'] !== '' ? `${operation['description']}\n\n` : '';
      operation['description'] = `${description}${OPTIONAL_NOTE}`;
    }
  }
}
