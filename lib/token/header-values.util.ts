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
      if (isHeaderName(String(raw[i]), name)) values.push(String(raw[i + 1]));
    }
    return values;
  }
  const parsed = request.headers[name];
  return parsed === undefined ? [] : Array.isArray(parsed) ? parsed : [parsed];
}

/**
 * Whether the header name `header` is `name`, ASCII letters in any case (header names are ASCII tokens), compared in
 * place: lower-casing either would cost a new string per header on every request.
 */
export function isHeaderName(header: string, name: string): boolean {
  if (header.length !== name.length) return false;
  if (header === name) return true;
  for (let i = 0; i < name.length; i++) {
    const a = header.charCodeAt(i);
    const b = name.charCodeAt(i);
    // Setting bit 0x20 lower-cases A-Z; it maps nothing else onto a letter.
    if (a !== b && ((a | 0x20) !== (b | 0x20) || (a | 0x20) < 97 || (a | 0x20) > 122)) return false;
  }
  return true;
}

/** The raw header list, names and values alternating (Express: `rawHeaders`; Fastify: `raw.rawHeaders`). */
export function rawHeadersOf(request: HttpRequestLike): unknown[] | undefined {
  const raw = (request['rawHeaders'] ?? (request['raw'] as { rawHeaders?: unknown } | undefined)?.rawHeaders) as unknown;
  return Array.isArray(raw) ? raw : undefined;
}
