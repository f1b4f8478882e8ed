import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonWebKey } from 'node:crypto';
import { UsageError } from './usage-error.js';

/** The path the dev issuer serves its JWKS at. */
export const DEV_JWKS_PATH = '/jwks.json';

/** A running key server of the dev issuer. */
export interface DevKeyServer {
  /** The JWKS URL, with the port the server really took. */
  url: string;
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

/**
 * Serves `{ keys: [jwk] }` at `/jwks.json` on 127.0.0.1 only (never another interface: the keys are a development
 * issuer's) and 404 on any other path or method; `port` 0 picks a free port. A port in use is a `UsageError`.
 */
export async function serveDevJwks(jwk: JsonWebKey, port: number): Promise<DevKeyServer> {
  const body = JSON.stringify({ keys: [jwk] });
  const server = createServer((request, response) => {
    const path = new URL(request.url ?? '/', 'http://127.0.0.1').pathname;
    if (path !== DEV_JWKS_PATH || (request.method !== 'GET' && request.method !== 'HEAD')) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    // no-store: a browser or proxy must not keep keys that a new dev issuer directory replaces.
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(request.method === 'GET' ? body : undefined);
  });
  await listen(server, port);
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}${DEV_JWKS_PATH}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRINUSE') reject(new PortInUseError(port));
      else if (error.code === 'EACCES') reject(new UsageError(`port ${port} on 127.0.0.1 may not be used by this user; pick another with --port`));
      else reject(error);
    });
    server.listen(port, '127.0.0.1', () => resolve());
  });
}

/** The dev issuer's port is taken (another dev issuer, or the app itself). */
export class PortInUseError extends Error {
  constructor(port: number) {
    super(`port ${port} on 127.0.0.1 is in use (another dev-issuer, or another server); pick another with --port, or --port 0 for a free one`);
    this.name = 'PortInUseError';
  }
}
