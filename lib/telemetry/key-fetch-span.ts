import { SPAN_KIND_CLIENT, SPAN_STATUS_ERROR, type SpanLike, type TracerLike } from './tracer-like.js';

/** What a key store needs to trace its fetches: the tracer, and where its keys are fetched from. */
export interface KeyFetchTracing {
  tracer: TracerLike;
  /** The key URL (or OpenID discovery URL) as `spanUrl` writes it: no credentials, no query. */
  url: string;
}

/** Starts the span of one fetch of `definition`'s keys (`endpoints_auth.fetch_keys`). */
export function startKeyFetchSpan({ tracer, url }: KeyFetchTracing, definition: string): SpanLike {
  return tracer.startSpan('endpoints_auth.fetch_keys', {
    kind: SPAN_KIND_CLIENT,
    attributes: { 'endpoints_auth.definition': definition, 'url.full': url },
  });
}

/** Ends a fetch's span: the number of usable keys it brought, or the reason it failed (the key store's log line's, never key material). */
export function endKeyFetchSpan(span: SpanLike, result: { keys: number } | { failure: string }): void {
  if ('keys' in result) {
    span.setAttribute('endpoints_auth.outcome', 'fetched');
    span.setAttribute('endpoints_auth.keys', result.keys);
  } else {
    span.setAttribute('endpoints_auth.outcome', 'failed');
    span.setStatus({ code: SPAN_STATUS_ERROR, message: result.failure });
  }
  span.end();
}
