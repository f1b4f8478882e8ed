import type { IncomingMessage } from 'node:http';
import { dropCrossOriginCookies } from '../token/cross-origin-cookies.util.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { stripUserInfo } from '../user-info/user-info-header.js';

/** What the library reads of a socket.io handshake (`socket.handshake`), without importing socket.io. */
export interface IoHandshakeLike {
  headers: Record<string, string | string[] | undefined>;
  url: string;
  secure?: boolean;
  auth?: Record<string, unknown>;
}

/**
 * The URL of a handshake as the gateway's server serves it: `path`, the path the server is bound to, with the query
 * the client sent. The client's own path text is never kept: servers match it loosely (Nest's ws adapter after
 * resolving `/./` and `/x/..`, engine.io by its prefix, so `/socket.io/x` is served too), and a path the spec does
 * not list would get a weaker requirement than the one the server actually serves.
 */
export function servedUrl(target: string | undefined, path: string): string {
  const text = target ?? '';
  const start = text.indexOf('?');
  if (start === -1) return path;
  const end = text.indexOf('#', start);
  return `${path}${end === -1 ? text.slice(start) : text.slice(start, end)}`;
}

/**
 * The HTTP request of a WebSocket upgrade as the guard reads it: a GET of the path the server serves (ESPv2
 * authenticates an upgrade as the GET of its path) with the client's query, its headers copied, so the view outlives
 * the upgrade request and a client-sent `X-Endpoint-API-UserInfo` is gone from it before anything reads it.
 */
export function upgradeRequestView(request: IncomingMessage, servedPath: string): HttpRequestLike {
  const encrypted = (request.socket as { encrypted?: boolean } | undefined)?.encrypted === true;
  const view: HttpRequestLike = {
    method: 'GET',
    url: servedUrl(request.url, servedPath),
    headers: { ...request.headers },
    rawHeaders: [...request.rawHeaders],
    protocol: encrypted ? 'https' : 'http',
  };
  stripUserInfo(view);
  dropCrossOriginCookies(view);
  return view;
}

/**
 * The request of a socket.io handshake: its first HTTP request's headers, and its query (the `access_token` query, ESP's
 * default location, is in it) on `servedPath`, the engine's path, plus what a browser can send only in the `auth` payload: `token` as
 * `Authorization: Bearer <token>`, `authorization` (or `Authorization`) as that header's full value, and
 * `access_token` as that query parameter. Each is one more token: every token found must verify.
 */
export function ioHandshakeView(handshake: IoHandshakeLike, rawHeaders: readonly string[] | undefined, servedPath: string): HttpRequestLike {
  const headers: Record<string, string | string[] | undefined> = { ...handshake.headers };
  const raw = rawHeaders ? [...rawHeaders] : undefined;
  const auth = handshake.auth ?? {};
  const authorization = [auth['authorization'], auth['Authorization']].filter((value): value is string => typeof value === 'string');
  if (typeof auth['token'] === 'string') authorization.push(`Bearer ${auth['token']}`);
  for (const value of authorization) {
    const present = headers['authorization'];
    headers['authorization'] = present === undefined ? value : [...(Array.isArray(present) ? present : [present]), value];
    raw?.push('Authorization', value);
  }
  let url = servedUrl(handshake.url, servedPath);
  if (typeof auth['access_token'] === 'string') {
    url += `${url.includes('?') ? '&' : '?'}access_token=${encodeURIComponent(auth['access_token'])}`;
  }
  const view: HttpRequestLike = { method: 'GET', url, headers, protocol: handshake.secure ? 'https' : 'http' };
  if (raw) view['rawHeaders'] = raw;
  stripUserInfo(view);
  dropCrossOriginCookies(view);
  return view;
}
