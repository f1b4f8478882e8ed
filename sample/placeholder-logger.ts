import { ConsoleLogger } from '@nestjs/common';
import type { PlaceholderDefinition } from './placeholder-definitions.js';

/** The library's warning for a key set it could not fetch (lib/keys/key-store.ts): the definition and the reason. */
const KEYS_NOT_FETCHED = /^keys of "(.*)" could not be fetched: (.*?); (?:requests get|the previous keys)/;

/**
 * Nest's console logger, except that a failed key fetch of a definition that still holds the sample's placeholders
 * is logged as expected (a log line saying why) rather than as a warning: on a first run offline, the placeholder
 * definitions' keys cannot be fetched, and five warnings would read like failures. Every other message, and the
 * warning of any definition without placeholders (a real, unreachable key server), is printed unchanged.
 */
export class PlaceholderLogger extends ConsoleLogger {
  private readonly placeholders: ReadonlyMap<string, PlaceholderDefinition>;

  constructor(placeholders: readonly PlaceholderDefinition[]) {
    super();
    this.placeholders = new Map(placeholders.map((definition) => [definition.name, definition]));
  }

  override warn(message: unknown, ...rest: unknown[]): void {
    const failed = typeof message === 'string' && rest.at(-1) === 'EndpointsAuthKeys' ? KEYS_NOT_FETCHED.exec(message) : null;
    const definition = failed ? this.placeholders.get(failed[1]!) : undefined;
    if (!failed || !definition) return super.warn(message, ...rest);
    const placeholders = definition.placeholders.join(', ');
    const why = `expected while it holds ${placeholders} of ${definition.file}`;
    super.log(`keys of "${definition.name}" not fetched (${failed[2]}): ${why}`, ...rest);
  }
}
