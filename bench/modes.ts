// The benchmark's modes: what the app runs (server.ts) and what the load generator sends (run.ts), in one table so
// the two processes cannot disagree.

/** How the app guards `GET /hello`. */
export type GuardKind = 'none' | 'noop' | 'spin' | 'canonical' | 'library';

/** What every request carries: no token, the same RS256 or ES256 token, or the next token of the unique pool. */
export type TokenKind = 'none' | 'RS256' | 'ES256' | 'pool';

export interface ModeSpec {
  name: string;
  guard: GuardKind;
  /** Library modes only: the validated-token cache on (default options) or off (`tokenCache: false`). */
  tokenCache?: boolean;
  token: TokenKind;
  /** Library modes only: this many extra spec paths and app routes beside `/hello` (the route table's size). */
  routes?: number;
  /** Whether a request without a token, or with a bad signature, must be refused (the sanity check). */
  refuses: boolean;
  what: string;
}

export const MODES: readonly ModeSpec[] = [
  { name: 'none', guard: 'none', token: 'RS256', refuses: false, what: 'no guard' },
  { name: 'noop', guard: 'noop', token: 'RS256', refuses: false, what: 'a global guard that returns true (the practical limit)' },
  {
    name: 'spin',
    guard: 'spin',
    token: 'RS256',
    refuses: false,
    what: 'a global guard that keeps the CPU busy for --spin-us µs (default 3), then returns true: what that much guard work costs over HTTP',
  },
  {
    name: 'canonical',
    guard: 'canonical',
    token: 'RS256',
    refuses: true,
    what: "Nest docs recipe: AuthGuard('jwt'), passport-jwt, jwks-rsa passportJwtSecret (cache on), RS256",
  },
  { name: 'cached', guard: 'library', tokenCache: true, token: 'RS256', refuses: true, what: 'this library, same RS256 token (cache hits)' },
  {
    name: 'cached-1000',
    guard: 'library',
    tokenCache: true,
    token: 'RS256',
    routes: 1000,
    refuses: true,
    what: 'as cached, with a 1,000-path spec and a 1,000-route app (the route table at size)',
  },
  {
    name: 'verified-rs256',
    guard: 'library',
    tokenCache: false,
    token: 'RS256',
    refuses: true,
    what: 'this library, tokenCache: false, RS256 (every request verified)',
  },
  {
    name: 'verified-es256',
    guard: 'library',
    tokenCache: false,
    token: 'ES256',
    refuses: true,
    what: 'this library, tokenCache: false, ES256 (every request verified)',
  },
  {
    name: 'unique',
    guard: 'library',
    tokenCache: true,
    token: 'pool',
    refuses: true,
    what: 'this library, cache on, a different valid RS256 token per request (all misses)',
  },
];

export function modeNamed(name: string): ModeSpec {
  const mode = MODES.find((candidate) => candidate.name === name);
  if (!mode) throw new Error(`unknown mode "${name}" (known: ${MODES.map((m) => m.name).join(', ')})`);
  return mode;
}
