import type { HttpRequestLike } from './http-request.interface.js';

/**
 * The first value of the query parameter `name` in the request's URL, decoded, as `URLSearchParams.get` gives it
 * (pairs split on `&` then the first `=`, `+` as a space, percent-decoding, one leading `?` of the query dropped);
 * `undefined` when the URL has no query or no such parameter. Names and values without `%` or `+` are compared and
 * sliced as they are: no `URLSearchParams` with a string per pair is built for a request that carries a query.
 */
export function queryParameter(request: HttpRequestLike, name: string): string | undefined {
  const url = request.originalUrl ?? request.url ?? '';
  let start = url.indexOf('?');
  if (start === -1) return undefined;
  start++;
  // `new URLSearchParams('?a=1')` reads `a`: the one `?` it drops is a second one here.
  if (url.charCodeAt(start) === 63) start++;
  while (start <= url.length) {
    let end = url.indexOf('&', start);
    if (end === -1) end = url.length;
    if (end > start) {
      const equals = url.indexOf('=', start);
      const nameEnd = equals !== -1 && equals < end ? equals : end;
      if (nameIs(url, start, nameEnd, name)) return decoded(url, nameEnd === end ? end : nameEnd + 1, end);
    }
    start = end + 1;
  }
  return undefined;
}

/** Whether `url[start, end)`, decoded, is `name`; decoded only when it holds `%` or `+`. */
function nameIs(url: string, start: number, end: number, name: string): boolean {
  if (plain(url, start, end)) return end - start === name.length && url.startsWith(name, start);
  // Decoded as a value, not as a query of its own: `new URLSearchParams('?access%5Ftoken')` would drop the `?` that
  // only the query's first pair loses, so `?a=1&?access%5Ftoken=t` would give `t` where the whole query gives nothing.
  return decoded(url, start, end) === name;
}

/** `url[start, end)` decoded as a query value. */
function decoded(url: string, start: number, end: number): string {
  const raw = url.slice(start, end);
  return plain(url, start, end) ? raw : new URLSearchParams(`v=${raw}`).get('v')!;
}

/**
 * Whether query decoding leaves `url[start, end)` as it is: no `%`, no `+`, and no UTF-16 surrogate (a lone one
 * becomes U+FFFD; a Node request's URL never holds one, other transports' views might).
 */
function plain(url: string, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const code = url.charCodeAt(i);
    if (code === 37 || code === 43 || (code >= 0xd800 && code <= 0xdfff)) return false;
  }
  return true;
}
