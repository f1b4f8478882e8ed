import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a path of the key server answers. */
export interface Route {
  status?: number;
  body: unknown;
  contentType?: string;
  /** More response headers (a redirect's `Location`, `Cache-Control`). */
  headers?: Record<string, string>;
  delayMs?: number;
}

/** A key server on 127.0.0.1 that counts requests per path and answers what the test sets. */
export class KeyServer {
  readonly hits = new Map<string, number>();
  private readonly routes = new Map<string, Route>();
  private server?: Server;
  url = '';

  /** Sets what `path` answers from now on. */
  set(path: string, route: Route): this {
    this.routes.set(path, route);
    return this;
  }

  /** Serves `keys` as a JWKS at `path`. */
  jwks(path: string, keys: Record<string, unknown>[]): this {
    return this.set(path, { body: { keys } });
  }

  /** Requests served for `path` so far. */
  count(path: string): number {
    return this.hits.get(path) ?? 0;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const path = new URL(request.url ?? '/', 'http://x').pathname;
      this.hits.set(path, this.count(path) + 1);
      const route = this.routes.get(path);
      const send = () => {
        if (!route) return void response.writeHead(404).end('not found');
        const body = typeof route.body === 'string' ? route.body : JSON.stringify(route.body);
        response.writeHead(route.status ?? 200, { 'content-type': route.contentType ?? 'application/json', ...route.headers }).end(body);
      };
      if (route?.delayMs) setTimeout(send, route.delayMs);
      else send();
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}
