import 'reflect-metadata';
import { startBookstore } from './bootstrap.js';
import { DEFAULT_GRPC_PORT } from './grpc/bookstore-proto.js';
import { startGrpcBookstore } from './grpc/grpc-bootstrap.js';
import { BookstoreService } from './shelves/bookstore.service.js';

/** `npm start`: the Bookstore over REST and gRPC with their embedded issuers, and the lines to try each. */
async function main(): Promise<void> {
  const { app, url, token } = await startBookstore(Number(process.env['PORT'] ?? 8080));
  // One store behind both APIs: a shelf created over REST is listed over gRPC.
  const grpc = await startGrpcBookstore(Number(process.env['GRPC_PORT'] ?? DEFAULT_GRPC_PORT), app.get(BookstoreService));
  const client = `node dist-sample/sample/grpc/client.js --address ${grpc.address}`;
  // The sample prints the tokens it minted for itself, on purpose: they are the one way to try the APIs by hand.
  process.stdout.write(
    [
      '',
      `Bookstore listening on ${url}`,
      '',
      'A token of the embedded local issuer (valid for one hour):',
      token,
      '',
      'With the token (200):',
      `  curl -H "Authorization: Bearer ${token}" ${url}/shelves/1`,
      'Without it (401 "Jwt is missing"):',
      `  curl ${url}/shelves/1`,
      '',
      `gRPC Bookstore listening on ${grpc.address} (sample/grpc/bookstore.proto, sample/grpc/api_config_auth.yaml)`,
      '',
      'A token of the embedded local service account (valid for one hour):',
      grpc.token,
      '',
      'With the token (OK and the shelves):',
      `  ${client} --token ${grpc.token} ListShelves`,
      'Without it (UNAUTHENTICATED "Jwt is missing"):',
      `  ${client} ListShelves`,
      '',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
