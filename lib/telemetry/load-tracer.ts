import { readFileSync } from 'node:fs';
import { guardedTracer } from './guarded-tracer.js';
import type { TracerLike } from './tracer-like.js';

/** Injection token of the module's tracer: `undefined` when tracing is off or `@opentelemetry/api` is not installed. */
export const ENDPOINTS_AUTH_TRACER = 'ENDPOINTS_AUTH:TRACER';

/** The name spans are recorded under (the instrumentation scope). */
export const TRACER_NAME = 'nestjs-endpoints-auth';

/**
 * The library's tracer from `@opentelemetry/api`, loaded on first use and only if the app installed it (it is an
 * optional peer, never imported statically). Without a registered SDK the API hands out its no-op tracer; a
 * provider registered later is still used, as the API's tracers follow the global one. Its calls never throw
 * (`guardedTracer`).
 */
export async function loadTracer(enabled: boolean): Promise<TracerLike | undefined> {
  if (!enabled) return undefined;
  let api: { trace: { getTracer(name: string, version?: string): TracerLike } };
  try {
    api = await import('@opentelemetry/api');
  } catch {
    return undefined;
  }
  return guardedTracer(api.trace.getTracer(TRACER_NAME, ownVersion()));
}

/** This package's version, from its package.json two folders up (dist/telemetry, or lib/telemetry in the repository). */
function ownVersion(): string | undefined {
  try {
    const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name?: string; version?: string };
    return manifest.name === TRACER_NAME ? manifest.version : undefined;
  } catch {
    return undefined;
  }
}
