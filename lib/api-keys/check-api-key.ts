/** API keys: the check ESP leaves to Service Control, done in the app with the `apiKeys` option's validator. */
import type { ExecutionContext } from '@nestjs/common';
import { AuthError } from '../errors/auth-error.js';
import type { ApiKeysOption } from '../interfaces/api-keys.interface.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { DEFAULT_API_KEY_LOCATIONS } from './api-key-locations.js';
import { findApiKey } from './find-api-key.js';

/**
 * Checks the API key `requirement` asks for: `true`, or a promise of it when the validator is asynchronous; throws
 * (or rejects with) API_KEY_MISSING when the request has none and API_KEY_INVALID when the validator refuses it. An
 * error of the validator itself propagates unchanged. The key is never logged or echoed.
 */
export function checkApiKey(
  setting: ApiKeysOption | undefined,
  request: HttpRequestLike,
  requirement: SecurityRequirement,
  context: ExecutionContext,
): true | Promise<true> {
  if (setting === 'unchecked') return true;
  // The module fails start-up first; only a guard built by hand or a hand-made requirement gets here: fail closed.
  if (setting === undefined) throw new Error('nestjs-endpoints-auth: this route needs an API key, but the apiKeys option is not set');
  const key = findApiKey(request, requirement.apiKeyLocations ?? DEFAULT_API_KEY_LOCATIONS);
  if (key === undefined) throw new AuthError('API_KEY_MISSING');
  const verdict: unknown = setting.validate(key, context);
  return isThenable(verdict) ? Promise.resolve(verdict).then(accepted) : accepted(verdict);
}

/** Only `true` passes: a validator that forgets to return, or returns a record or a string, must not open the route. */
function accepted(verdict: unknown): true {
  if (verdict === true) return true;
  throw new AuthError('API_KEY_INVALID');
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof value === 'object' && value !== null && typeof (value as PromiseLike<unknown>).then === 'function';
}
