// The issuer's key server on 127.0.0.1, in its own process (forked by run.ts): serves the run's JWKS (public keys
// only, from BENCH_JWKS) at /jwks.json with Google's Cache-Control, and counts fetches so the report can show that
// no mode fetches keys per request. Answers { type: 'counts' } over IPC.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

/** Messages between run.ts and this process. */
export type KeyServerMessage = { type: 'ready'; url: string } | { type: 'counts'; fetches: number; other: number };

const body = process.env['BENCH_JWKS'];
if (!body) throw new Error('BENCH_JWKS is not set');
let fetches = 0;
let other = 0;

const server = createServer((request, response) => {
  if (request.method === 'GET' && request.url === '/jwks.json') {
    fetches++;
    response.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' }).end(body);
    return;
  }
  other++;
  response.writeHead(404).end();
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  send({ type: 'ready', url: `http://127.0.0.1:${port}/jwks.json` });
});

process.on('message', (message: { type?: string }) => {
  if (message?.type === 'counts') send({ type: 'counts', fetches, other });
  if (message?.type === 'stop') {
    server.closeAllConnections();
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
