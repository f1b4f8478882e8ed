import 'reflect-metadata';
import { startBookstore } from './bootstrap.js';

/** `npm start`: the Bookstore with its embedded issuer, and two curl lines to try it. */
async function main(): Promise<void> {
  const { url, token } = await startBookstore(Number(process.env['PORT'] ?? 8080));
  // The sample prints the token it minted for itself, on purpose: it is the one way to try the API by hand.
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
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
