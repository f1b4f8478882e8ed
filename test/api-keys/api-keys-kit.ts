/** Helpers for the API-key tests: the spec, a validator that records what it was asked, and the answers expected. */
import type { ExecutionContext } from '@nestjs/common';
import { expect } from 'vitest';
import type { ApiKeyValidator } from '../../lib/index.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';
import type { Answer } from '../requirements/requirements-kit.js';

/** The one key the validators accept. */
export const GOOD_KEY = 'good-key-0123';

/** Service Control's answers, as ESP relays them. */
export const MISSING_MESSAGE =
  "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.";
export const INVALID_MESSAGE = 'API key not valid. Please pass a valid API key.';

/**
 * The fixture's definitions (alpha, beta, `api_key` in query `key`) plus `header_key` (header `X-My-Key`) and
 * `bare_key` (no `in`/`name`: ESP's defaults), and operations that name them in every shape ESP reads.
 */
export function apiKeySpec(issuers: Issuers, extra: Record<string, unknown> = {}) {
  const spec = openApi2(issuers, {
    // The API level: an alpha token AND a key (routes the spec does not list, operations without security).
    security: [{ alpha: [], api_key: [] }],
    paths: {
      '/books/open': { get: { security: [{ api_key: [] }] } },
      '/books/header': { get: { security: [{ header_key: [] }] } },
      '/books/defaults': { get: { security: [{ bare_key: [] }] } },
      '/books/either': { get: { security: [{ beta: [] }, { api_key: [] }] } },
      '/books/public': { get: { security: [] } },
      '/books/inherited': { get: { summary: 'no security of its own: the API level applies' } },
      '/books/decorated': { get: { security: [{ api_key: [] }] } },
      '/authors/{author}': { delete: { security: [{ alpha: [], api_key: [] }] } },
    },
    ...extra,
  });
  Object.assign(spec.securityDefinitions, {
    header_key: { type: 'apiKey', name: 'X-My-Key', in: 'header' },
    bare_key: { type: 'apiKey' },
  });
  return spec;
}

/** One call of a validator: the key and which handler the context named. */
export interface ValidatorCall {
  key: string;
  handler: string;
  type: string;
}

/**
 * A validator accepting GOOD_KEY only, synchronous or asynchronous, that records its calls. The key `explode` makes it
 * throw (an app bug), `truthy` makes it return a truthy non-boolean.
 */
export function recordingValidator(kind: 'sync' | 'async'): ApiKeyValidator & { calls: ValidatorCall[] } {
  const calls: ValidatorCall[] = [];
  const decide = (key: string, context: ExecutionContext): boolean => {
    calls.push({ key, handler: context.getHandler().name, type: context.getType() });
    if (key === 'explode') throw new Error('validator bug');
    if (key === 'truthy') return 'yes' as unknown as boolean;
    return key === GOOD_KEY;
  };
  return {
    calls,
    validate:
      kind === 'sync'
        ? decide
        : async (key, context) => {
            await new Promise((resolve) => setTimeout(resolve, 1));
            return decide(key, context);
          },
  };
}

/** A 401 with Service Control's message, the code, and a challenge that does not call the token invalid. */
export function expectKeyRefused(answer: Answer, errorCode: 'API_KEY_MISSING' | 'API_KEY_INVALID', key?: string): void {
  expect({ status: answer.status, message: answer.body?.message, errorCode: answer.body?.errorCode }).toEqual({
    status: 401,
    message: errorCode === 'API_KEY_MISSING' ? MISSING_MESSAGE : INVALID_MESSAGE,
    errorCode,
  });
  const challenge = answer.headers.get('www-authenticate') ?? '';
  expect(challenge).toMatch(/^Bearer realm="[^"]*"$/);
  // The key is never echoed: not in the body, not in the challenge (whose realm leaves the query out).
  if (key) expect(JSON.stringify(answer.body) + challenge).not.toContain(key);
}
