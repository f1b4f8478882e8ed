import { Logger } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import type { INestApplicationContext } from '@nestjs/common';
import { WsAdapter } from '@nestjs/platform-ws';
import { AuthError } from '../../errors/auth-error.js';
import { type AppLike, HandshakeAuthenticator } from '../handshake-authenticator.js';
import { normalizeGatewayPath } from '../gateway-security.js';
import { upgradeRequestView } from '../handshake-request.js';
import type { WsConnection } from '../ws-connection.js';
import { connectionOfClient } from '../ws-connections.js';
import { forwardExceptions } from './forward-exceptions.js';
import { wsCloseCodeOf, wsCloseReasonOf, wsRefusalOf } from '../ws-refusal.js';

/** Its own logger: Nest 11's adapters have no `logger` member (Nest 12's do). */
const logger = new Logger('EndpointsAuthWsAdapter');

/** What the library does with a `ws` WebSocket. */
interface WebSocketLike {
  readyState: number;
  send(data: string): void;
  close(code: number, reason: string): void;
  once(event: 'close', listener: () => void): unknown;
  on(event: 'exception', listener: (data: unknown) => void): unknown;
}

/** ws's `verifyClient` callback: accept, or refuse the upgrade with an HTTP status. */
type VerifyCallback = (accept: boolean, code?: number, message?: string, headers?: Record<string, string>) => void;
type VerifyClient = ((info: { req: IncomingMessage }) => boolean) | ((info: { req: IncomingMessage }, callback: VerifyCallback) => void);

const OPEN = 1;

/**
 * `WsAdapter` (`@nestjs/platform-ws`) that verifies the token of each upgrade request once, before the upgrade
 * completes, and closes a refused connection with 4401 (4403 for the audience) after an `exception` message carrying
 * `errorCode` and ESP's message; the guard checks each message handler against that verdict, and the connection
 * is closed the same way when its token expires. `app.useWebSocketAdapter(new EndpointsAuthWsAdapter(app))`.
 * @publicApi
 */
export class EndpointsAuthWsAdapter extends WsAdapter {
  private readonly app: AppLike;
  private handshakes?: HandshakeAuthenticator;
  /** The verdict of each upgrade, from `verifyClient` to the connection it opens. */
  private readonly outcomes = new WeakMap<IncomingMessage, WsConnection | AuthError>();
  /** The gateway port each server was created for. */

  constructor(app: INestApplicationContext, options?: ConstructorParameters<typeof WsAdapter>[1]) {
    super(app, options);
    if (typeof (app as Partial<AppLike> | undefined)?.get !== 'function') {
      throw new TypeError('EndpointsAuthWsAdapter needs the Nest application: new EndpointsAuthWsAdapter(app)');
    }
    this.app = app as AppLike;
  }

  /** Creates the gateway's server with a `verifyClient` that runs the gateway's own first, then the token's. */
  override create(port: number, options: Parameters<WsAdapter['create']>[1] = {}): ReturnType<WsAdapter['create']> {
    const own = options['verifyClient'] as VerifyClient | undefined;
    // The path the server is bound to, known once it exists (Nest sets it on a server that shares the HTTP port).
    let served = '/';
    const verifyClient = (info: { req: IncomingMessage }, callback: VerifyCallback): void => {
      const verify = () => this.verify(info.req, port, served, callback);
      if (!own) return verify();
      if (own.length >= 2) {
        const asynchronous = own as (info: { req: IncomingMessage }, callback: VerifyCallback) => void;
        return asynchronous(info, (accept, ...refusal) => (accept ? verify() : callback(false, ...refusal)));
      }
      // ws answers 401 to a synchronous refusal.
      if ((own as (info: { req: IncomingMessage }) => boolean)(info)) verify();
      else callback(false, 401);
    };
    const server = super.create(port, { ...options, verifyClient }) as { path?: unknown };
    // Nest matches a shared server's path after resolving `/./` and `/x/..`; a server of its own port matches
    // `options.path`, or serves any path when it has none (then the gateway's default path, `/`).
    const path = typeof server.path === 'string' ? server.path : options['path'];
    served = typeof path === 'string' ? normalizeGatewayPath(path) : '/';
    return server;
  }

  /** Lets a connection reach the gateway only when its handshake was let in; a refused one is closed here. */
  override bindClientConnect(server: { on: Function }, callback: Function): void {
    server.on('connection', (client: WebSocketLike, request: IncomingMessage) => {
      const outcome = this.outcomes.get(request);
      if (outcome instanceof AuthError) return this.refuse(client, outcome);
      if (outcome && !connectionOfClient(client)) {
        this.handshakes!.open(client, outcome, (error) => this.refuse(client, error));
        client.once('close', () => this.handshakes!.close(client));
      }
      forwardExceptions(client);
      callback(client, request);
    });
  }

  private verify(request: IncomingMessage, port: number, served: string, callback: VerifyCallback): void {
    this.handshakes ??= HandshakeAuthenticator.of(this.app);
    const view = upgradeRequestView(request, served);
    const target = { port, path: served };
    this.handshakes.connect(view, target, '/').then(
      (outcome) => {
        this.outcomes.set(request, outcome);
        callback(true);
      },
      (error: unknown) => {
        logger.error(error);
        callback(false, 500);
      },
    );
  }

  /** The `exception` message a refused message gets, then the close; once, however many gateways share the server. */
  private refuse(client: WebSocketLike, error: AuthError): void {
    if (client.readyState !== OPEN) return;
    client.send(JSON.stringify({ event: 'exception', data: wsRefusalOf(error) }));
    client.close(wsCloseCodeOf(error), wsCloseReasonOf(error));
  }
}
