/** Clients that send a handshake path as written, where `ws` and socket.io-client would resolve or keep it. */
import type { ClientRequest } from 'node:http';
import { io } from 'socket.io-client';
import WebSocket from 'ws';
import { IoClient, WsClient } from '../websockets/clients.js';

/**
 * A `ws` connection to the server of `url` whose upgrade request's target is `target`, sent as written (`/./plain`,
 * `/x/../plain`: `new WebSocket(url)` would resolve them); resolves once open, or rejects when the upgrade is refused.
 */
export async function connectWsRaw(url: string, target: string, headers: Record<string, string> = {}): Promise<WsClient> {
  const socket = new WebSocket(url, {
    headers,
    // ws builds the request from the parsed URL; its target is replaced before the request is sent.
    finishRequest: (request: ClientRequest) => {
      request.path = target;
      request.end();
    },
  } as WebSocket.ClientOptions);
  const client = new WsClient(socket);
  await new Promise((resolve, reject) => {
    socket.once('open', resolve);
    socket.once('error', reject);
  });
  return client;
}

/** A socket.io connection to `namespaceUrl` over the engine path `path`; the connected client or its `connect_error`. */
export async function connectIoAt(
  namespaceUrl: string,
  path: string,
  auth: Record<string, unknown> = {},
): Promise<{ client: IoClient } | { error: Error & { data?: unknown } }> {
  const socket = io(namespaceUrl, { path, auth, transports: ['websocket'], reconnection: false, forceNew: true });
  const client = new IoClient(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ client }));
    socket.once('connect_error', (error) => {
      socket.close();
      resolve({ error });
    });
  });
}
