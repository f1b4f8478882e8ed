import type { SpanAttributes, SpanLike, TracerLike } from './tracer-like.js';

/** What a span that failed to start stands in for it with: nothing to record. */
const NO_SPAN: SpanLike = { setAttribute: () => undefined, setStatus: () => undefined, end: () => undefined };

/**
 * `tracer` with every call it makes, and every call on its spans, unable to throw: tracing observes a request, so a
 * bug in the app's OpenTelemetry SDK or span processor (which run inside `startSpan` and `end`) must not turn an
 * answer into a 500 or stop a key fetch.
 */
export function guardedTracer(tracer: TracerLike): TracerLike {
  return {
    startSpan(name: string, options?: { kind?: number; attributes?: SpanAttributes }): SpanLike {
      try {
        return guardedSpan(tracer.startSpan(name, options));
      } catch {
        return NO_SPAN;
      }
    },
  };
}

function guardedSpan(span: SpanLike): SpanLike {
  return {
    setAttribute: (key, value) => quietly(() => span.setAttribute(key, value)),
    setStatus: (status) => quietly(() => span.setStatus(status)),
    end: () => quietly(() => span.end()),
  };
}

function quietly(call: () => unknown): void {
  try {
    call();
  } catch {
    // the span loses what this call recorded; the request does not notice
  }
}
