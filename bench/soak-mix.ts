// The soak's traffic: which kinds of request a real API sees, in what proportion, the tokens each kind sends, and the
// status each must get at the moment it is sent. The load generator asks `next()` once per request; nothing here
// prints a token.
import { randomBytes } from 'node:crypto';
import { type TokenPool, tokenAt } from './token-pool.js';
import { AUDIENCE, type BenchKey, benchClaims, signWith, tamperSignature } from './tokens.js';

/** The kinds of request, each with its own expected status. */
export const CATEGORIES = [
  'repeated',
  'fresh',
  'rotated',
  'expired',
  'wrong-audience',
  'garbage',
  'unknown-kid',
  'no-token',
  'bad-signature',
] as const;
export type Category = (typeof CATEGORIES)[number];

/** Share of each kind in every 100 requests; `rotated` takes its share from `fresh` once the new key is served. */
export const WEIGHTS: Record<Category, number> = {
  repeated: 45,
  fresh: 15,
  rotated: 10,
  expired: 5,
  'wrong-audience': 5,
  garbage: 5,
  'unknown-kid': 5,
  'no-token': 5,
  'bad-signature': 5,
};

/** What each kind must get: 200, or the refusal the library answers it with (403: the audience, as ESP). */
export const EXPECTED: Record<Category, number> = {
  repeated: 200,
  fresh: 200,
  rotated: 200,
  expired: 401,
  'wrong-audience': 403,
  garbage: 401,
  'unknown-kid': 401,
  'no-token': 401,
  'bad-signature': 401,
};

/** The tokens of every kind, made before the load starts. */
export interface SoakTokens {
  /** A few tokens of the first key, sent over and over (validated-token cache hits). */
  repeated: string[];
  /** Distinct tokens of the first key, many more than the cache holds (each a signature check). */
  fresh: TokenPool;
  /** Distinct tokens of the key the rotation adds. */
  rotated: TokenPool;
  expired: string[];
  wrongAudience: string[];
  garbage: string[];
  unknownKid: string[];
  badSignature: string[];
}

/** Signs the small sets (the pools are minted by worker threads, see token-pool.ts). */
export function smallSets(
  first: BenchKey,
  es256: BenchKey,
  unpublished: BenchKey,
  issuedAt: number,
): Omit<SoakTokens, 'fresh' | 'rotated'> {
  // Serials far above the pools' (0…count-1), so no small-set token is also a pool token.
  const claims = (serial: number, extra: Record<string, unknown> = {}) => ({ ...benchClaims(800_000_000 + serial, issuedAt), ...extra });
  const range = (count: number) => Array.from({ length: count }, (_, index) => index);
  const repeated = [...range(6).map((i) => signWith(first, claims(i))), ...range(2).map((i) => signWith(es256, claims(100 + i)))];
  // Two hours past `exp`, far beyond the 60 s of clock skew the library allows.
  const expired = range(16).map((i) => signWith(first, claims(200 + i, { iat: issuedAt - 7200, nbf: issuedAt - 7200, exp: issuedAt - 3600 })));
  const wrongAudience = range(16).map((i) => signWith(first, claims(300 + i, { aud: `${AUDIENCE}.elsewhere` })));
  const unknownKid = range(16).map((i) => signWith({ ...unpublished, kid: `soak-unpublished-${i}` }, claims(400 + i)));
  const badSignature = range(16).map((i) => tamperSignature(signWith(first, claims(500 + i))));
  const valid = repeated[0];
  const [header, payload] = valid.split('.');
  const garbage = [
    'not-a-jwt',
    'a.b.c',
    `${header}.${payload}`,
    `${header}.${payload}.`,
    valid.slice(0, valid.length - 40),
    `${valid}.extra`,
    `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${payload}.`,
    `${Buffer.from('{"alg":"RS256"').toString('base64url')}.${payload}.c2ln`,
    `${header}.${Buffer.from('not json').toString('base64url')}.c2ln`,
    `${header}.${payload}.!!!`,
    randomBytes(600).toString('base64url'),
    `${randomBytes(40).toString('base64url')}.${randomBytes(400).toString('base64url')}.${randomBytes(256).toString('base64url')}`,
    'x'.repeat(4000),
  ];
  return { repeated, expired, wrongAudience, garbage, unknownKid, badSignature };
}

/** The soak's state as the schedule moves it, read when each request is made. */
export interface MixState {
  /** The key server serves the rotated set: tokens of the new key are sent from now on. */
  rotated: boolean;
  /** The key server has served the rotated set to the app at least once: from then on the new key must pass. */
  rotatedSetServed: boolean;
}

/** One request to make: its kind, its token (none for `no-token`), and the statuses it may get. */
export interface PlannedRequest {
  category: Category;
  token: string | undefined;
  /** The status it must get. */
  expected: number;
  /** Another status it may get (only a rotated key's token before the app can have seen the rotated set: 401). */
  tolerated?: number;
}

/**
 * The request sequence: a fixed shuffle of 100 slots in the WEIGHTS proportions (the same every run), each slot
 * naming a kind; the tokens of a kind are taken in turn. `wrong` makes the mix expect `expected + 1` of one kind:
 * a deliberately wrong expectation, which the soak must report (its own test uses it).
 */
export class Mix {
  private readonly slots: Category[];
  private index = 0;
  private readonly taken: Record<Category, number> = Object.fromEntries(CATEGORIES.map((c) => [c, 0])) as Record<Category, number>;

  constructor(
    private readonly tokens: SoakTokens,
    readonly state: MixState,
    private readonly wrong?: Category,
  ) {
    this.slots = shuffled(CATEGORIES.flatMap((category) => Array<Category>(WEIGHTS[category]).fill(category)));
  }

  /** How many tokens each pool gave out, to tell whether a pool wrapped. */
  poolUse(): { fresh: number; rotated: number } {
    return { fresh: this.taken.fresh, rotated: this.taken.rotated };
  }

  next(): PlannedRequest {
    let category = this.slots[this.index++ % this.slots.length];
    if (category === 'rotated' && !this.state.rotated) category = 'fresh';
    const turn = this.taken[category]++;
    const expected = EXPECTED[category] + (category === this.wrong ? 1 : 0);
    const request: PlannedRequest = { category, token: this.token(category, turn), expected };
    // Before the app can have the rotated set, a new key's token is an unknown kid (401) until its refetch lands.
    if (category === 'rotated' && !this.state.rotatedSetServed) request.tolerated = 401;
    return request;
  }

  private token(category: Category, turn: number): string | undefined {
    const { tokens } = this;
    const pick = (list: string[]) => list[turn % list.length];
    switch (category) {
      case 'repeated':
        return pick(tokens.repeated);
      case 'fresh':
        return tokenAt(tokens.fresh, turn);
      case 'rotated':
        return tokenAt(tokens.rotated, turn);
      case 'expired':
        return pick(tokens.expired);
      case 'wrong-audience':
        return pick(tokens.wrongAudience);
      case 'garbage':
        return pick(tokens.garbage);
      case 'unknown-kid':
        return pick(tokens.unknownKid);
      case 'no-token':
        return undefined;
      case 'bad-signature':
        return pick(tokens.badSignature);
    }
  }
}

/** A Fisher–Yates shuffle with a fixed seed (mulberry32), so every run sends the same sequence. */
function shuffled<T>(items: T[], seed = 0x50a6): T[] {
  const out = [...items];
  let state = seed;
  const random = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
