// The soak's load generator: autocannon (in the orchestrator's process) sending `GET /hello` with each request's
// token from the mix, and checking each answer against the status the mix expected when the request was made.
// autocannon keeps one request in flight per connection (no pipelining), so the expectation travels in that
// connection's request context from `setupRequest` to `onResponse`.
import autocannon from 'autocannon';
import { CATEGORIES, type Category, type Mix, type PlannedRequest } from './soak-mix.js';

/** What one kind of request got. */
export interface CategoryTally {
  /** Answers received. */
  answered: number;
  /** Answers with the expected status. */
  expected: number;
  /** Answers with the tolerated status (a rotated key's token before the app could have the rotated set). */
  tolerated: number;
  /** Answers with any other status: must be 0. */
  unexpected: number;
  /** The statuses of the unexpected answers, counted. */
  unexpectedStatuses: Record<string, number>;
}

export interface SoakLoadResult {
  byCategory: Record<Category, CategoryTally>;
  answered: number;
  /** Answers per second of wall time. */
  rps: number;
  /** Connection errors and timeouts (a request that got no answer). */
  errors: number;
  timeouts: number;
  wallSeconds: number;
  /** Latency percentiles of every answer, ms (autocannon's histogram). */
  p50: number;
  p99: number;
}

interface RequestContext {
  planned?: PlannedRequest;
}

/** Loads `url` for `seconds` over `connections` connections, each request as `mix.next()` plans it. */
export function soakLoad(options: { url: string; connections: number; seconds: number; mix: Mix }): Promise<SoakLoadResult> {
  const byCategory = Object.fromEntries(
    CATEGORIES.map((category) => [category, { answered: 0, expected: 0, tolerated: 0, unexpected: 0, unexpectedStatuses: {} }]),
  ) as Record<Category, CategoryTally>;
  const { mix } = options;
  const request: autocannon.Request = {
    method: 'GET',
    path: '/hello',
    setupRequest: (built, context: RequestContext) => {
      const planned = mix.next();
      context.planned = planned;
      built.headers = planned.token === undefined ? { ...built.headers } : { ...built.headers, authorization: `Bearer ${planned.token}` };
      return built;
    },
    onResponse: (status, _body, context: RequestContext) => {
      const planned = context.planned;
      if (!planned) return;
      context.planned = undefined;
      const tally = byCategory[planned.category];
      tally.answered++;
      if (status === planned.expected) tally.expected++;
      else if (status === planned.tolerated) tally.tolerated++;
      else {
        tally.unexpected++;
        tally.unexpectedStatuses[status] = (tally.unexpectedStatuses[status] ?? 0) + 1;
      }
    },
  };
  return new Promise((resolve, reject) => {
    const started = performance.now();
    autocannon(
      { url: options.url, connections: options.connections, duration: options.seconds, requests: [request] },
      (error, result) => {
        if (error) return reject(error instanceof Error ? error : new Error(String(error)));
        const wallSeconds = (performance.now() - started) / 1000;
        const answered = Object.values(byCategory).reduce((sum, tally) => sum + tally.answered, 0);
        resolve({
          byCategory,
          answered,
          rps: answered / wallSeconds,
          errors: result.errors,
          timeouts: result.timeouts,
          wallSeconds,
          p50: result.latency.p50,
          p99: result.latency.p99,
        });
      },
    );
  });
}
