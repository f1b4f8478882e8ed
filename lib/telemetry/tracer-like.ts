/**
 * The part of `@opentelemetry/api` the library uses, written out so that nothing it ships imports the optional peer
 * (not even its declarations).
 */

/** Attribute values the library sets: names, codes, a redacted URL, counts and flags. */
export type SpanAttributes = Record<string, string | number | boolean>;

/** A started span (`Span`). */
export interface SpanLike {
  setAttribute(key: string, value: string | number | boolean): unknown;
  setStatus(status: { code: number; message?: string }): unknown;
  end(): void;
}

/** A tracer (`Tracer`): only `startSpan`, so spans never become the active context (handlers' spans stay the request's). */
export interface TracerLike {
  startSpan(name: string, options?: { kind?: number; attributes?: SpanAttributes }): SpanLike;
}

/** `SpanStatusCode.ERROR`. */
export const SPAN_STATUS_ERROR = 2;

/** `SpanKind.CLIENT`: a key fetch is an outgoing HTTP request. */
export const SPAN_KIND_CLIENT = 2;
