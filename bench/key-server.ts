// The issuer's key server on 127.0.0.1, in its own process (forked by run.ts and soak.ts): serves the run's JWKS
// (public keys only, from BENCH_JWKS) at /jwks.json with Google's Cache-Control, and counts fetches so the report can
// show that no mode fetches keys per request. Answers { type: 'counts' } over IPC. For the soak it also takes a new
// JWKS (a key rotation: { type: 'jwks', body }) and fails on request ({ type: 'outage', outage: '503' | 'refused' |
// 'none' }: every fetch answered 503, or the port closed so connections are refused), and reports each fetch it served
// with the version of the set it sent ({ type: 'served' }), so the soak knows when a rotated set reached the app.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** How the key server fails: not at all, 503 to every fetch, or its port closed (connection refused). */
export type Outage = 'none' | '503' | 'refused';

/** Messages between the orchestrator and this process. */
export type KeyServerMessage =
  | { type: 'ready'; url: string }
  | { type: 'counts'; fetches: number; other: number; failed: number; version: number }
  | { type: 'served'; version: number }
  | { type: 'jwks'; version: number }
  | { type: 'outage'; outage: Outage };

let body = process.env['BENCH_JWKS'];
if (!body) throw new Error('BENCH_JWKS is not set');
/** Which JWKS is served: 1 at start, one more per rotation. */
let version = 1;
let outage: Outage = 'none';
let port = 0;
let fetches = 0;
let other = 0;
/** Fetches answered 503 during an outage (refused connections never reach this process). */
let failed = 0;

const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/jwks.json') {
    fetches++;
    if (outage === '503') {
      failed++;
      response.writeHead(503, { 'content-type': 'text/plain' }).end('unavailable');
      return;
    }
    const served = version;
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' }).end(body);
    send({ type: 'served', version: served });
    return;
  }
  other++;
  response.writeHead(404).end();
});

server.listen(0, '127.0.0.1', () => {
  port = (server.address() as AddressInfo).port;
  send({ type: 'ready', url: `http://127.0.0.1:${port}/jwks.json` });
});

/** Closes the port (and the app's kept-alive connections) for `refused`; listens on the same port again after. */
function setOutage(next: Outage, done: () => void): void {
  const wasClosed = outage === 'refused';
  outage = next;
  if (next === 'refused' && !wasClosed) {
    server.closeAllConnections();
    server.close(() => done());
  } else if (next !== 'refused' && wasClosed) {
    server.listen(port, '127.0.0.1', done);
  } else {
    done();
  }
}

process.on('message', (message: { type?: string; body?: string; outage?: Outage }) => {
  if (message?.type === 'counts') send({ type: 'counts', fetches, other, failed, version });
  if (message?.type === 'jwks' && message.body) {
    body = message.body;
    send({ type: 'jwks', version: ++version });
  }
  if (message?.type === 'outage' && message.outage) {
    const next = message.outage;
    setOutage(next, () => send({ type: 'outage', outage: next }));
  }
  if (message?.type === 'stop') {
    server.closeAllConnections();
    if (outage === 'refused') process.exit(0);
    server.close(() => process.exit(0));
  }
});
// The orchestrator gone (crash, Ctrl-C): nothing left to serve.
process.on('disconnect', () => process.exit(0));
// A hard stop, so a lost key server never outlives a benchmark.
setTimeout(() => process.exit(0), 30 * 60 * 1000).unref();

function send(message: KeyServerMessage): void {
  process.send?.(message);
}
