import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A server on 127.0.0.1 that answers one path with one JSON key document, as a real issuer serves its keys. */
export class KeyDocumentServer {
  private constructor(
    private readonly server: Server,
    /** The document's URL. */
    readonly url: string,
  ) {}

  /** Serves `document` at `path` on 127.0.0.1:`port` (0 picks a free port). */
  static async start(path: string, document: unknown, port = 0): Promise<KeyDocumentServer> {
    const body = JSON.stringify(document);
    const server = createServer((request, response) => {
      if (request.url === path) response.writeHead(200, { 'content-type': 'application/json' }).end(body);
      else response.writeHead(404).end();
    });
    await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
    return new KeyDocumentServer(server, `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`);
  }

  /** Stops listening and drops open connections. */
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
