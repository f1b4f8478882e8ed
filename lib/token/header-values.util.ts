import type { HttpRequestLike } from './http-request.interface.js';

/**
 * Every value of the header `name` (lower case) as the client sent it. Node keeps only the first `Authorization`
 * and joins other repeated headers with `, `; Envoy sees each instance, and every one must verify, so the raw
 * header list is read (Express: `rawHeaders`; Fastify: `raw.rawHeaders`).
 */
export function headerValues(request: HttpRequestLike, name: string): string[] {
  const raw = rawHeadersOf(request);
  if (raw) {
    const values: string[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) {
      const header = String(raw[i]);
      // Only a name of the right length is lower-cased: the others would each cost a new string on every request.
      if (header.length === name.length && (header === name || header.toLowerCase() === name)) values.push(String(raw[i + 1]));
    }
    return values;
  }
  const parsed = request.headers[name];
  return parsed === undefined ? [] : Array.isArray(parsed) ? parsed : [parsed];
}

/** The raw header list, names and values alternating (Express: `rawHeaders`; Fastify: `raw.rawHeaders`). */
export function rawHeadersOf(request: HttpRequestLike): unknown[] | undefined {
  const raw = (request['rawHeaders'] ?? (request['raw'] as { rawHeaders?: unknown } | undefined)?.rawHeaders) as unknown;
  return Array.isArray(raw) ? raw : undefined;
}
