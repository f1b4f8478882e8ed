import { errorReason } from '../keys/error-reason.util.js';
import { BodyTooLargeError, readCappedBody } from '../keys/read-capped-body.util.js';

/** How a token request is bounded and retried. */
export interface TokenRequestPolicy {
  /** Tries in all, the first included. */
  attempts: number;
  /** Deadline of one try, headers and body. */
  timeoutMs: number;
  /** The wait before the second try; doubled for each further one. */
  backoffMs: number;
  maxBodyBytes: number;
}

/** Throws a clear error for a policy no request could follow (named as the options name them). */
export function checkTokenRequestPolicy(policy: TokenRequestPolicy): TokenRequestPolicy {
  if (!Number.isInteger(policy.attempts) || policy.attempts < 1) throw new Error(`attempts must be a whole number, 1 or more, got ${policy.attempts}`);
  if (!(policy.timeoutMs > 0) || !Number.isFinite(policy.timeoutMs)) throw new Error(`timeoutMs must be a number of milliseconds over 0, got ${policy.timeoutMs}`);
  if (!(policy.backoffMs >= 0) || !Number.isFinite(policy.backoffMs)) throw new Error(`backoffMs must be a number of milliseconds, 0 or more, got ${policy.backoffMs}`);
  return policy;
}

/** The answer to a token request: its status and its body as text (capped). */
export interface TokenResponse {
  status: number;
  headers: Headers;
  body: string;
}

/**
 * One token request, tried again with backoff after a network error, a timeout or a 5xx (the token server's own
 * failures), never after a 4xx. Redirects are not followed: a token server that redirects is misconfigured, and a
 * request that carries an assertion must not land elsewhere. Throws with the last failure, never with a body.
 */
export async function requestToken(url: string, init: RequestInit, policy: TokenRequestPolicy): Promise<TokenResponse> {
  let failure = '';
  for (let attempt = 1; attempt <= policy.attempts; attempt++) {
    if (attempt > 1) await new Promise((resolve) => setTimeout(resolve, policy.backoffMs * 2 ** (attempt - 2)));
    const signal = AbortSignal.timeout(policy.timeoutMs);
    try {
      const response = await fetch(url, { ...init, signal, redirect: 'manual' });
      const body = await readCappedBody(response, policy.maxBodyBytes);
      if (response.status < 500) return { status: response.status, headers: response.headers, body };
      failure = `HTTP ${response.status}`;
    } catch (error) {
      // An oversized answer will be oversized again: no retry.
      if (error instanceof BodyTooLargeError) throw error;
      failure = signal.aborted ? `no complete answer within ${policy.timeoutMs} ms` : errorReason(error);
    }
  }
  throw new Error(`${failure} (after ${policy.attempts} ${policy.attempts === 1 ? 'try' : 'tries'})`);
}

