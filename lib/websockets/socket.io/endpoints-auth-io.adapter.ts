import { Logger } from '@nestjs/common';
import type { INestApplicationContext } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { AuthError } from '../../errors/auth-error.js';
import { type AppLike, HandshakeAuthenticator } from '../handshake-authenticator.js';
import { normalizeGatewayPath } from '../gateway-security.js';
import { type IoHandshakeLike, ioHandshakeView } from '../handshake-request.js';
import { wsRefusalOf } from '../ws-refusal.js';

/** Its own logger: Nest 11's adapters have no `logger` member (Nest 12's do). */
const logger = new Logger('EndpointsAuthIoAdapter');

/** What the library reads of a socket.io Socket. */
interface SocketLike {
  handshake: IoHandshakeLike;
  request?: { rawHeaders?: string[] };
  nsp: { name: string; server: { path(): string } };
  emit(event: string, payload: unknown): unknown;
  disconnect(close: boolean): unknown;
  once(event: 'disconnect', listener: () => void): unknown;
}

/** A socket.io server or namespace, for its middleware. */
interface UsesMiddleware {
  use(middleware: (socket: SocketLike, next: (error?: Error) => void) => void): unknown;
}

/**
 * `IoAdapter` (`@nestjs/platform-socket.io`) that verifies each socket's handshake once, in a namespace middleware,
 * before the gateway sees it: a refusal is the client's `connect_error`, whose `data` carries `errorCode` and ESP's
 * message; the guard checks each message handler against that verdict, and a socket whose token expires gets an
 * `exception` event and is disconnected. `app.useWebSocketAdapter(new EndpointsAuthIoAdapter(app))`.
 * @publicApi
 */
export class EndpointsAuthIoAdapter extends IoAdapter {
  private readonly app: AppLike;
  private handshakes?: HandshakeAuthenticator;
  /** Servers and namespaces that have the middleware: Nest creates a namespace once per gateway using it. */
  private readonly guarded = new WeakSet<object>();

  constructor(app: INestApplicationContext) {
    super(app);
    if (typeof (app as Partial<AppLike> | undefined)?.get !== 'function') {
      throw new TypeError('EndpointsAuthIoAdapter needs the Nest application: new EndpointsAuthIoAdapter(app)');
    }
    this.app = app as AppLike;
  }

  /** Creates the gateway's server or namespace (through `createIOServer`, which a subclass may override) and guards it. */
  override create(port: number, options?: Parameters<IoAdapter['create']>[1]): ReturnType<IoAdapter['create']> {
    const server = super.create(port, options);
    if (!this.guarded.has(server)) {
      this.guarded.add(server);
      // The option names the gateways behind this namespace; a dynamic one's children carry only their own name.
      const namespace = (options as { namespace?: unknown } | undefined)?.namespace;
      (server as unknown as UsesMiddleware).use((socket, next) => this.verify(socket, port, namespace, next));
    }
    return server;
  }

  private verify(socket: SocketLike, port: number, namespaceOption: unknown, next: (error?: Error) => void): void {
    this.handshakes ??= HandshakeAuthenticator.of(this.app);
    const handshakes = this.handshakes;
    // The engine's path, as it serves it (`/socket.io/`): it answers any path under it, `/socket.io/x` too.
    const served = `${socket.nsp.server.path().replace(/\/+$/, '')}/`;
    const view = ioHandshakeView(socket.handshake, socket.request?.rawHeaders, served);
    const target = { port, path: normalizeGatewayPath(served), namespace: socket.nsp.name, namespaceOption };
    handshakes.connect(view, target, '/socket.io').then(
      (outcome) => {
        if (outcome instanceof AuthError) return next(Object.assign(new Error(outcome.message), { data: wsRefusalOf(outcome) }));
        handshakes.open(socket, outcome, (error) => {
          socket.emit('exception', wsRefusalOf(error));
          socket.disconnect(true);
        });
        socket.once('disconnect', () => handshakes.close(socket));
        next();
      },
      (error: unknown) => {
        logger.error(error);
        next(new Error('Internal server error'));
      },
    );
  }
}
