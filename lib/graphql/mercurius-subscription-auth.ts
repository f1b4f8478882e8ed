import type { HttpRequestLike } from '../token/http-request.interface.js';
import { USER_INFO_HEADER } from '../user-info/user-info-header.js';

/**
 * The key under which `mercurius().context` leaves the connection's socket and upgrade request in the subscription
 * context, where `onConnect`, called next on the same connection, finds them.
 */
export const MERCURIUS_CONNECTION: unique symbol = Symbol('nestjs-endpoints-auth:mercurius-connection');

/**
 * The key of the function that gives a Mercurius operation its request. Mercurius builds each operation's context by
 * copying the one it made at connection init, so a request placed there would be shared by every operation for the
 * connection's life; the function lets each operation get the connection's request as it stands when it runs (a new
 * one, with no caller, once the token has expired).
 */
export const MERCURIUS_OPERATION_REQUEST: unique symbol = Symbol('nestjs-endpoints-auth:mercurius-operation-request');

/** What the library reads of the socket and the upgrade request Mercurius hands `subscription.context`. */
export interface MercuriusSocketState {
  readonly socket: { close(code: number, reason: string): void; once?(event: 'close', listener: () => void): unknown };
  readonly request: { readonly url?: string };
}

/**
 * The options that authenticate Mercurius subscriptions, for `subscription: { ... }` of `MercuriusDriverConfig`:
 * written out so that these declarations never import mercurius, ws or fastify.
 * @publicApi
 */
export interface MercuriusSubscriptionAuth {
  /**
   * Mercurius's `subscription.context`, called at connection init with the socket and the upgrade request: keeps both
   * for `onConnect`, and gives operations a request with no caller until `onConnect` accepts the connection.
   */
  context(socket: unknown, request: unknown): Record<symbol, unknown>;
  /**
   * Mercurius's `subscription.onConnect`: verifies the `connection_init` payload's tokens; a refusal closes the socket
   * with 4401 or 4403 and ESP's message. It reads what `context` kept through `this`, the connection Mercurius calls it
   * on, so it must be installed as it is (or called as `onConnect.call(this, data)`).
   */
  onConnect(this: unknown, data: { readonly payload?: unknown }): Promise<false | Record<symbol, unknown>>;
}

/** The request a Mercurius operation's context stands for, when `mercurius()` built that context. */
export function mercuriusOperationRequestOf(context: object): HttpRequestLike | undefined {
  const requestFor = (context as Record<symbol, unknown>)[MERCURIUS_OPERATION_REQUEST];
  if (typeof requestFor !== 'function') return undefined;
  // One request per operation: the guard and `@UserInfo()` read the same context object and must see one caller.
  let request = OPERATION_REQUESTS.get(context);
  if (!request) OPERATION_REQUESTS.set(context, (request = (requestFor as () => HttpRequestLike)()));
  return request;
}

/** The request each Mercurius operation context was given, the first time it was read. */
const OPERATION_REQUESTS = new WeakMap<object, HttpRequestLike>();

/**
 * Removes a user info header, in any case, from a `connection_init` payload and its `headers`: Mercurius copies one of
 * them into the upgrade request's headers, which its operations read as `request`, so a client could forge a caller.
 */
export function dropUserInfo(payload: unknown): void {
  if (typeof payload !== 'object' || payload === null) return;
  const headers = (payload as Record<string, unknown>)['headers'];
  for (const fields of [payload, headers]) {
    if (typeof fields !== 'object' || fields === null) continue;
    for (const name of Object.keys(fields)) {
      if (name.toLowerCase() === USER_INFO_HEADER) delete (fields as Record<string, unknown>)[name];
    }
  }
}
