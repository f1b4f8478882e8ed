/** A graphql-transport-ws client whose upgrade request's target is sent as written (`/%67raphql`, an absolute form). */
import type { ClientRequest } from 'node:http';
import WebSocket from 'ws';
import { WsClient } from '../graphql/subscription-kit.js';

/** The kit's client over a socket opened here (its constructor is private to keep its tests on `connect`). */
const wrap = (socket: WebSocket) => new (WsClient as unknown as new (socket: WebSocket) => WsClient)(socket);

/** How `connectAt` opens: the upgrade request's extra headers; `init: false` sends no `connection_init`. */
export interface ConnectOptions {
  headers?: Record<string, string>;
  init?: boolean;
}

/**
 * Opens a socket to the server of `url` with `target` as the upgrade request's target and sends `connection_init` with
 * `params`; resolves once open, or rejects when the upgrade is refused.
 */
export async function connectAt(url: string, target: string, params?: unknown, { headers, init = true }: ConnectOptions = {}): Promise<WsClient> {
  const socket = new WebSocket(url.replace('http://', 'ws://'), 'graphql-transport-ws', {
    headers,
    // ws builds the request from the parsed URL; its target is replaced before the request is sent.
    finishRequest: (request: ClientRequest) => {
      request.path = target;
      request.end();
    },
  } as WebSocket.ClientOptions);
  const client = wrap(socket);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  if (init) client.send({ type: 'connection_init', ...(params !== undefined ? { payload: params } : {}) });
  return client;
}
