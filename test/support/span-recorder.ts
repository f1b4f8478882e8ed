import { trace } from '@opentelemetry/api';
import { BasicTracerProvider, InMemorySpanExporter, type ReadableSpan, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterEach, beforeEach } from 'vitest';

/**
 * Registers a real OpenTelemetry SDK (BasicTracerProvider + InMemorySpanExporter) as the global tracer before each test
 * of the calling suite and removes it after (call it before the suite's own `afterEach`, which then runs first); `spans()` is what the current test recorded.
 */
export function recordSpans(): { spans(): ReadableSpan[] } {
  let exporter = new InMemorySpanExporter();
  beforeEach(() => {
    exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  });
  afterEach(() => trace.disable());
  return { spans: () => exporter.getFinishedSpans() };
}
