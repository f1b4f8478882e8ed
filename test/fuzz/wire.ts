/**
 * The fuzzer's transport: real sockets to the app, kept alive, with header lines sent exactly as the case lists them.
 * `fetch` cannot do that (it merges a repeated `Authorization` into one value and refuses non-latin1 values), so
 * plain-ASCII cases go through `node:http` with a keep-alive agent and a raw header list, and the rest (control
 * characters, unicode, header blocks over the server's limit) through a one-shot raw socket that writes the header
 * bytes as UTF-8, as a real client would.
 */
import { Agent, request as httpRequest } from 'node:http';
import { connect } from 'node:net';

/** A request: path with its query, and header lines in order (names as sent, repeats kept). */
export interface WireRequest {
  path: string;
  headers: ReadonlyArray<readonly [string, string]>;
}

/**
 * The answer: `status` 0 when none came within the timeout, -1 when the connection failed before one did (the
 * server may close a socket whose headers are too large); `text` holds the status line, headers and body, read both
 * as UTF-8 and as latin1 so an echo is found whichever way the server encoded it.
 */
export interface WireAnswer {
  status: number;
  text: string;
}

// Printable ASCII and tab are what node:http sends unchanged; anything else goes raw.
const PLAIN = /^[\t\x20-\x7e]*$/;
// Node's default --max-http-header-size, less room for the lines node:http adds.
const MAX_HEADER_BYTES = 16 * 1024 - 512;

export class WireClient {
  private readonly agent: Agent;
  private readonly host: string;
  private readonly port: number;

  constructor(
    baseUrl: string,
    concurrency: number,
    private readonly timeoutMs = 10_000,
  ) {
    const url = new URL(baseUrl);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  }

  send(request: WireRequest): Promise<WireAnswer> {
    const plain = PLAIN.test(request.path) && request.headers.every(([name, value]) => PLAIN.test(name) && PLAIN.test(value));
    const size = request.headers.reduce((sum, [name, value]) => sum + name.length + value.length + 4, request.path.length);
    // Past the server's header limit (16 KiB) the server answers 431 and resets the connection while the client is
    // still writing; node:http's client then raises the late `write ECONNRESET` on a socket it no longer listens to
    // (an uncaught exception in this process). The raw socket keeps its own error listener to the end.
    return plain && size < MAX_HEADER_BYTES ? this.viaHttp(request) : this.viaSocket(request);
  }

  close(): void {
    this.agent.destroy();
  }

  /**
   * A kept-alive socket may have been closed by the server after its last answer without saying so (Fastify's
   * answer to a client error has no `Connection: close`): a request that fails that way is sent again, once, on a
   * fresh connection, so every case is answered for itself.
   */
  private async viaHttp(request: WireRequest): Promise<WireAnswer> {
    const answer = await this.viaHttpOnce(request, this.agent);
    return answer.status === -1 ? this.viaHttpOnce(request, false) : answer;
  }

  private viaHttpOnce(request: WireRequest, agent: Agent | false): Promise<WireAnswer> {
    return new Promise((resolve) => {
      // An array of headers keeps repeats as separate lines; `Host` must then be given explicitly.
      const headers = ['Host', `${this.host}:${this.port}`, ...request.headers.flat()];
      const options = { host: this.host, port: this.port, path: request.path, method: 'GET', agent, headers };
      const outgoing = httpRequest(options, (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => {
          const body = Buffer.concat(chunks);
          const head = response.rawHeaders.join('\n');
          const text = `${head}\n${body.toString('utf8')}\n${body.toString('latin1')}`;
          resolve({ status: response.statusCode ?? -1, text });
        });
        response.on('error', () => resolve({ status: -1, text: '' }));
      });
      outgoing.setTimeout(this.timeoutMs, () => {
        outgoing.destroy();
        resolve({ status: 0, text: '' });
      });
      outgoing.on('error', () => resolve({ status: -1, text: '' }));
      outgoing.end();
    });
  }

  private viaSocket(request: WireRequest): Promise<WireAnswer> {
    return new Promise((resolve) => {
      const lines = [`GET ${request.path} HTTP/1.1`, `Host: ${this.host}:${this.port}`, 'Connection: close'];
      for (const [name, value] of request.headers) lines.push(`${name}: ${value}`);
      const socket = connect(this.port, this.host, () => socket.end(Buffer.from(`${lines.join('\r\n')}\r\n\r\n`, 'utf8')));
      const chunks: Buffer[] = [];
      let settled = false;
      const finish = () => {
        if (settled) return;
        settled = true;
        const raw = Buffer.concat(chunks);
        const match = /^HTTP\/1\.[01] (\d{3})/.exec(raw.toString('latin1'));
        resolve({ status: match ? Number(match[1]) : -1, text: `${raw.toString('utf8')}\n${raw.toString('latin1')}` });
      };
      socket.on('data', (chunk: Buffer) => chunks.push(chunk));
      socket.on('close', finish);
      socket.on('error', finish); // a reset after the answer still has the answer
      socket.setTimeout(this.timeoutMs, () => {
        settled = true;
        socket.destroy();
        resolve({ status: 0, text: '' });
      });
    });
  }
}
