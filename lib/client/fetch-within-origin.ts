/** The statuses `fetch` follows (the Fetch standard's redirect statuses). */
const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);
/** `fetch`'s own limit on the redirects of one request. */
const MAX_REDIRECTS = 20;
/** The headers that describe a body, dropped with it when a redirect turns the request into a GET. */
const BODY_HEADERS = ['content-encoding', 'content-language', 'content-location', 'content-type'];

type Input = string | URL | Request;
type Init = RequestInit & { headers: Headers };

/**
 * `fetchImpl(input, init)` following redirects as `fetch` does, except that `header` goes to the origin of `input`
 * only. `fetch` drops `Authorization` when a redirect leaves the origin, but not a header of another name: without
 * this, `X-Serverless-Authorization` would hand the token to whichever host a redirect names. A caller's
 * `redirect: 'manual'` or `'error'` is left to `fetch`.
 */
export async function fetchWithinOrigin(fetchImpl: typeof fetch, input: Input, init: Init, header: string): Promise<Response> {
  const request = input instanceof Request ? input : undefined;
  if ((init.redirect ?? request?.redirect ?? 'follow') !== 'follow') return fetchImpl(input, init);
  const origin = new URL(request?.url ?? input.toString()).origin;
  let method = (init.method ?? request?.method ?? 'GET').toUpperCase();
  let next: Input = input;
  let sent: Init = { ...init, method, signal: init.signal ?? request?.signal, redirect: 'manual' };
  // As `fetch`: a body that was streamed is gone once sent, so a redirect that keeps the method cannot resend it.
  let streamed = init.body instanceof ReadableStream || (init.body == null && request?.body != null);
  for (let redirects = 0; ; redirects++) {
    const response = await fetchImpl(next, sent);
    const location = response.headers.get('location');
    if (!REDIRECT_STATUSES.has(response.status) || location === null) return response;
    await response.body?.cancel();
    if (redirects === MAX_REDIRECTS) throw new TypeError('fetch failed: too many redirects');
    const url = new URL(location, response.url || (next instanceof Request ? next.url : next.toString()));
    if ((response.status <= 302 && method === 'POST') || (response.status === 303 && method !== 'GET' && method !== 'HEAD')) {
      method = 'GET';
      const headers = new Headers(sent.headers);
      for (const name of BODY_HEADERS) headers.delete(name);
      sent = { ...sent, method, body: null, headers };
      streamed = false;
    } else if (streamed) {
      throw new TypeError('fetch failed: a redirect cannot resend a streamed body');
    }
    next = url;
    if (url.origin !== origin) {
      const headers = new Headers(sent.headers);
      // `fetch` drops Authorization when it leaves the origin itself; this hop is made here, so both go here.
      headers.delete(header);
      headers.delete('authorization');
      // Once off the origin the token is gone from the request, so `fetch` may follow the rest itself.
      return fetchImpl(url, { ...sent, headers, redirect: 'follow' });
    }
  }
}
