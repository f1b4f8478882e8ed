import type { ExecutionContext } from '@nestjs/common';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import type { WsConnection } from './ws-connection.js';

/** The connections the WebSocket adapters opened, by client (the `ws` WebSocket, the socket.io Socket). */
const BY_CLIENT = new WeakMap<object, WsConnection>();

/** The same connections by their handshake request, the object the guard and `@UserInfo()` hold. */
const BY_REQUEST = new WeakMap<object, WsConnection>();

/** Records the connection of `client`, once the handshake let it in. */
export function attachConnection(client: object, connection: WsConnection): void {
  BY_CLIENT.set(client, connection);
  BY_REQUEST.set(connection.request, connection);
}

/** The connection of `client`, if an adapter of this library opened it. */
export function connectionOfClient(client: object): WsConnection | undefined {
  return BY_CLIENT.get(client);
}

/** The connection whose handshake request this is; `undefined` for any other request. */
export function connectionOf(request: HttpRequestLike): WsConnection | undefined {
  return BY_REQUEST.get(request);
}

/**
 * The handshake request of the connection a gateway message arrived on; `undefined` when the connection was not
 * opened by `EndpointsAuthWsAdapter` or `EndpointsAuthIoAdapter` (the guard then fails closed).
 */
export function wsRequestOf(context: ExecutionContext): HttpRequestLike | undefined {
  const client = context.switchToWs().getClient<unknown>();
  return typeof client === 'object' && client !== null ? BY_CLIENT.get(client)?.request : undefined;
}

