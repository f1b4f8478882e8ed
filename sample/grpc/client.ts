import { parseArgs } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { BOOKSTORE_PACKAGE, BOOKSTORE_PROTO, DEFAULT_GRPC_PORT, LOADER_OPTIONS } from './bookstore-proto.js';

/**
 * `node dist-sample/sample/grpc/client.js [--address HOST:PORT] [--token JWT] [Method] [request JSON]`: one call to the
 * gRPC Bookstore, with the token as `authorization: Bearer` metadata, as ESP's gRPC clients send it. Prints `OK` and
 * the reply, or the status name and its details (exit code 1).
 */
function main(): void {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { address: { type: 'string', default: `127.0.0.1:${DEFAULT_GRPC_PORT}` }, token: { type: 'string' } },
  });
  const [method = 'ListShelves', request = '{}'] = positionals;
  const definition = protoLoader.loadSync(BOOKSTORE_PROTO, LOADER_OPTIONS);
  const Bookstore = definition[`${BOOKSTORE_PACKAGE}.Bookstore`] as grpc.ServiceDefinition;
  const client = new (grpc.makeGenericClientConstructor(Bookstore, 'Bookstore'))(values.address, grpc.credentials.createInsecure());
  const call = (client as unknown as Record<string, unknown>)[method];
  if (typeof call !== 'function') throw new Error(`Bookstore has no method ${method}; it has ${Object.keys(Bookstore).join(', ')}`);
  const metadata = new grpc.Metadata();
  if (values.token) metadata.set('authorization', `Bearer ${values.token}`);
  const done = (error: grpc.ServiceError | null, reply?: unknown) => {
    client.close();
    if (!error) return void process.stdout.write(`OK ${JSON.stringify(reply)}\n`);
    process.stdout.write(`${grpc.status[error.code]} ${error.details}\n`);
    process.exitCode = 1;
  };
  call.call(client, JSON.parse(request), metadata, { deadline: Date.now() + 10_000 }, done);
}

try {
  main();
} catch (error: unknown) {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 2;
}
