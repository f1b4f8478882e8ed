import { AuthError } from '../errors/auth-error.js';
import type { StrategyOutcome } from '../strategies/run-strategy.js';
import { SPAN_STATUS_ERROR, type SpanLike, type TracerLike } from './tracer-like.js';

/**
 * Starts the span of one full verification of a token by `definition` (`endpoints_auth.verify_token`): a
 * validated-token cache miss. Cache hits get none: a span would cost about as much as the hit itself; they are
 * counted by `EndpointsAuthCounters.tokens()`.
 */
export function startVerificationSpan(tracer: TracerLike, definition: string): SpanLike {
  return tracer.startSpan('endpoints_auth.verify_token', { attributes: { 'endpoints_auth.definition': definition } });
}

/**
 * Ends a verification's span with its outcome (`accepted`, `refused` with the errorCode, or `fault`), whether the set
 * held a key for the token's kid and alg (only once keys were looked at), and whether it waited on the key store (a
 * fetch, or the unknown-kid refetch rule).
 * Never the token, its signature or its claims.
 */
export function endVerificationSpan(span: SpanLike, outcome: StrategyOutcome, keyFound: boolean | undefined, awaitedKeys: boolean): void {
  if (outcome.error) {
    span.setAttribute('endpoints_auth.outcome', 'fault');
    span.setStatus({ code: SPAN_STATUS_ERROR, message: 'the strategy failed with an error' });
  } else if (outcome.user) {
    span.setAttribute('endpoints_auth.outcome', 'accepted');
  } else {
    // The authenticator answers a failure without an AuthError as INVALID_TOKEN; the span says the same.
    const code = outcome.info instanceof AuthError ? outcome.info.code : 'INVALID_TOKEN';
    span.setAttribute('endpoints_auth.outcome', 'refused');
    span.setAttribute('endpoints_auth.error_code', code);
    span.setStatus({ code: SPAN_STATUS_ERROR, message: code });
  }
  if (keyFound !== undefined) span.setAttribute('endpoints_auth.key_found', keyFound);
  span.setAttribute('endpoints_auth.keys_awaited', awaitedKeys);
  span.end();
}
