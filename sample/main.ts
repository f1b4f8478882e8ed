import 'reflect-metadata';
import { SPEC_PATH } from './app.module.js';
import { startBookstore } from './bootstrap.js';
import { DEFAULT_GRPC_PORT, SERVICE_CONFIG_PATH } from './grpc/bookstore-proto.js';
import { startGrpcBookstore } from './grpc/grpc-bootstrap.js';
import { type PlaceholderDefinition, placeholderDefinitions } from './placeholder-definitions.js';
import { PlaceholderLogger } from './placeholder-logger.js';
import { BookstoreService } from './shelves/bookstore.service.js';

/** `npm start`: the Bookstore over REST and gRPC with their embedded issuers, and the lines to try each. */
async function main(): Promise<void> {
  const placeholders = [...placeholderDefinitions(SPEC_PATH), ...placeholderDefinitions(SERVICE_CONFIG_PATH)];
  const logger = new PlaceholderLogger(placeholders);
  const rest = await startBookstore(Number(process.env['PORT'] ?? 8080), undefined, { logger });
  const { url } = rest;
  // One store behind both APIs: a shelf created over REST is listed over gRPC.
  const grpcPort = Number(process.env['GRPC_PORT'] ?? DEFAULT_GRPC_PORT);
  const grpc = await startGrpcBookstore(grpcPort, rest.app.get(BookstoreService), { logger });
  const client = `node dist-sample/sample/grpc/client.js --address ${grpc.address}`;
  const curl = (token: string) => `  curl -H "Authorization: Bearer ${token}" ${url}/shelves/1`;
  // The sample prints the tokens it minted for itself, on purpose: they are the one way to try the APIs by hand.
  process.stdout.write(
    [
      '',
      `Bookstore listening on ${url}`,
      `Swagger UI: ${url}/docs ("Authorize" with the token below; the Endpoints-ready JSON is at ${url}/docs-json)`,
      '',
      'A token of the embedded local issuer (valid for one hour):',
      rest.token,
      '',
      'With the token (200):',
      curl(rest.token),
      'Without it (401 MISSING_TOKEN "Jwt is missing"):',
      `  curl ${url}/shelves/1`,
      'With one that expired an hour ago (401 TOKEN_EXPIRED "Jwt is expired"):',
      curl(rest.expiredToken),
      'With one for another service (403 AUDIENCE_NOT_ALLOWED "Audiences in Jwt are not allowed"):',
      curl(rest.otherAudienceToken),
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
      ...placeholderNote(placeholders),
    ].join('\n'),
  );
}

/**
 * The definitions that still hold placeholders, said once: until the user fills them in they accept no token, and
 * their keys may not be fetched (offline, or for a made-up account), which the logger reports as expected.
 */
function placeholderNote(placeholders: readonly PlaceholderDefinition[]): string[] {
  if (placeholders.length === 0) return [];
  const files = [...new Set(placeholders.map((definition) => definition.file))];
  const lists = files.map((file) => `${placeholders.filter((d) => d.file === file).map((d) => d.name).join(', ')} (${file})`);
  return [
    `${lists.join(' and ')} still hold placeholders (YOUR-…):`,
    'until you fill them in, they accept no token, and their key fetches fail offline or for a made-up account',
    '(logged as expected, not as warnings).',
    '',
  ];
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
