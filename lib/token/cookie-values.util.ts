import { headerValues } from './header-values.util.js';
import type { HttpRequestLike } from './http-request.interface.js';

/**
 * Every value of the cookie `name` in the request, in the order sent, read as Envoy's `Http::Utility::parseCookies`
 * reads the `Cookie` headers: each header instance (HTTP/2 splits cookies into several) split at `;`, a pair without
 * `=` skipped, the name matched case-sensitively, one pair of surrounding double quotes taken off the value, and no
 * percent-decoding. Whitespace around a name or a value is trimmed (Envoy keeps it after the value, where a token
 * would then fail as malformed). Envoy keeps the first value of a repeated name; all are returned here, so the caller
 * decides what a repeated cookie means.
 */
export function cookieValues(request: HttpRequestLike, name: string): string[] {
  const values: string[] = [];
  // The raw header list: Node joins repeated Cookie headers into one with `; `, and Fastify may hand an array.
  for (const header of headerValues(request, 'cookie')) {
    for (const pair of header.split(';')) {
      const equals = pair.indexOf('=');
      if (equals === -1 || trimSpaces(pair.slice(0, equals)) !== name) continue;
      const value = trimSpaces(pair.slice(equals + 1));
      values.push(value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value);
    }
  }
  return values;
}

/** The text without leading or trailing spaces and tabs (HTTP's optional whitespace). */
function trimSpaces(text: string): string {
  return text.replace(/^[ \t]+|[ \t]+$/g, '');
}
