import { type Socket, io } from 'socket.io-client';
import WebSocket from 'ws';

/** A message a gateway sent: `{ event, data }`. */
export interface GatewayMessage {
  event: string;
  data: any;
}

/** How a connection attempt ended: open, or closed or refused with what the server said. */
export type Connected<T> = { open: true; client: T } | { open: false; code?: number; reason?: string; refusal?: any };

/** A `ws` client that keeps every message and the close, and sends `{ event, data }`. */
export class WsClient {
  readonly messages: GatewayMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  private waiters: (() => void)[] = [];

  constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as GatewayMessage);
      this.waiters.splice(0).forEach((wake) => wake());
    });
    this.closed = new Promise((resolve) => socket.on('close', (code, reason) => resolve({ code, reason: String(reason) })));
  }

  send(event: string, data: unknown = {}): void {
    this.socket.send(JSON.stringify({ event, data }));
  }

  /** The next message from now on (whatever its event). */
  async next(): Promise<GatewayMessage> {
    const seen = this.messages.length;
    while (this.messages.length === seen) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.messages[seen]!;
  }

  /** Sends and waits for the answer. */
  async ask(event: string, data: unknown = {}): Promise<GatewayMessage> {
    const answer = this.next();
    this.send(event, data);
    return answer;
  }
}

/** Opens a `ws` connection to `url`; resolves once it is open and survived the handshake, or closed. */
export async function connectWs(url: string, headers: Record<string, string> = {}): Promise<{ client: WsClient; outcome: 'open' | 'closed' }> {
  const client = new WsClient(new WebSocket(url, { headers }));
  const outcome = await new Promise<'open' | 'closed'>((resolve, reject) => {
    client.socket.once('open', () => resolve('open'));
    client.socket.once('error', reject);
  });
  return { client, outcome };
}

/** A socket.io client that keeps every event it receives. */
export class IoClient {
  readonly events: GatewayMessage[] = [];
  readonly disconnected: Promise<string>;
  private waiters: (() => void)[] = [];

  constructor(readonly socket: Socket) {
    socket.onAny((event: string, data: unknown) => {
      this.events.push({ event, data });
      this.waiters.splice(0).forEach((wake) => wake());
    });
    this.disconnected = new Promise((resolve) => socket.on('disconnect', (reason) => resolve(reason)));
  }

  async next(): Promise<GatewayMessage> {
    const seen = this.events.length;
    while (this.events.length === seen) await new Promise<void>((resolve) => this.waiters.push(resolve));
    return this.events[seen]!;
  }

  async ask(event: string, data: unknown = {}): Promise<GatewayMessage> {
    const answer = this.next();
    this.socket.emit(event, data);
    return answer;
  }
}

/**
 * Connects a socket.io client to `url` (a namespace URL) over WebSocket only, without reconnecting; resolves with the
 * connected client, or the `connect_error` it got.
 */
export async function connectIo(
  url: string,
  options: { auth?: Record<string, unknown>; headers?: Record<string, string>; query?: Record<string, string> } = {},
): Promise<{ client: IoClient } | { error: Error & { data?: any } }> {
  const socket = io(url, {
    transports: ['websocket'],
    reconnection: false,
    forceNew: true,
    auth: options.auth ?? {},
    extraHeaders: options.headers,
    query: options.query,
  });
  const client = new IoClient(socket);
  return new Promise((resolve) => {
    socket.once('connect', () => resolve({ client }));
    socket.once('connect_error', (error) => {
      socket.close();
      resolve({ error });
    });
  });
}
