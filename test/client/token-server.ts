import { type IncomingMessage, type Server, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A token server on 127.0.0.1 (a fake metadata server or token endpoint) that records requests; `answer` decides. */
export class TokenServer {
  readonly requests: SeenRequest[] = [];
  private server?: Server;
  host = '';

  constructor(private answer: (request: SeenRequest, response: ServerResponse) => void) {}

  /** Replaces what the server answers from now on. */
  answerWith(answer: (request: SeenRequest, response: ServerResponse) => void): void {
    this.answer = answer;
  }

  async start(): Promise<this> {
    this.server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const seen = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks).toString('utf8') };
        this.requests.push(seen);
        this.answer(seen, response);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.host = `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

export { freePort as closedPort } from '../support/ports.js';
