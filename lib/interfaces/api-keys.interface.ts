import type { ExecutionContext } from '@nestjs/common';

/**
 * Checks the API key of a request whose operation needs one, the check ESP leaves to Service Control.
 * @publicApi
 */
export interface ApiKeyValidator {
  /**
   * Whether `key` is valid for the request `context` runs: only `true` (or a promise of it) lets the request through;
   * an error it throws is the app's own and fails the request as such, never as a pass.
   */
  validate(key: string, context: ExecutionContext): boolean | Promise<boolean>;
}

/**
 * How API keys the spec's `security` asks for are checked: by a validator in the app, or `'unchecked'` on purpose.
 * @publicApi
 */
export type ApiKeysOption = ApiKeyValidator | 'unchecked';

/**
 * Where an API key is read: a query parameter or a header (an apiKey definition's `in` and `name`).
 * @publicApi
 */
export type ApiKeyLocation = { query: string } | { header: string };
