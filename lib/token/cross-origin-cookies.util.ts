import { headerValues, rawHeadersOf } from './header-values.util.js';
import type { HttpRequestLike } from './http-request.interface.js';

/**
 * Takes the `Cookie` headers out of a WebSocket handshake's request view unless the handshake came from the page's
 * own origin. A browser sends its cookies with a WebSocket upgrade from any site (SameSite=None cookies; WebSockets
 * have no CORS), so a cookie token there would let another site open a connection as the user (cross-site WebSocket
 * hijacking). A handshake without `Origin` is not from a browser, whose cookies are the risk, and keeps them; one
 * whose `Origin` names another host than its `Host` header loses them, and then needs its token elsewhere.
 */
export function dropCrossOriginCookies(view: HttpRequestLike): void {
  if (sameOrigin(view)) return;
  delete view.headers['cookie'];
  const raw = rawHeadersOf(view);
  if (!raw) return;
  for (let i = raw.length - 2; i >= 0; i -= 2) {
    if (String(raw[i]).toLowerCase() === 'cookie') raw.splice(i, 2);
  }
}

/** Whether the handshake names no origin, or the origin its `Host` header serves (default ports as the URL reads them). */
function sameOrigin(view: HttpRequestLike): boolean {
  const [origin] = headerValues(view, 'origin');
  if (origin === undefined) return true;
  const [host] = headerValues(view, 'host');
  if (host === undefined) return false;
  try {
    const page = new URL(origin);
    // The Host read with the origin's scheme, so `example.com:443` and `https://example.com` agree.
    return page.host === new URL(`${page.protocol}//${host}`).host;
  } catch {
    return false; // `Origin: null` (a sandboxed or file page) or a malformed value
  }
}
