import type { KeyObject } from 'node:crypto';
import { Strategy as JwtStrategy, type StrategyOptionsWithoutRequest } from 'passport-jwt';
import { AuthError } from '../errors/auth-error.js';
import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import { ASYMMETRIC_ALGORITHMS } from '../keys/algorithms.js';
import type { KeySet } from '../keys/key-set.interface.js';
import { selectKeys } from '../keys/select-keys.js';
import { verifySignature } from '../keys/verify-signature.js';
import { checkClaims } from '../token/check-claims.js';
import { extractTokens } from '../token/extract-tokens.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { parseJwt } from '../token/parse-jwt.js';
import type { ParsedJwt } from '../token/parsed-jwt.interface.js';
import { TOKEN_SLOT, type TokenSlot } from './token-slot.js';

type Algorithm = NonNullable<StrategyOptionsWithoutRequest['algorithms']>[number];

/** The settings a strategy verifies with. */
export interface StrategySettings {
  clockSkewSeconds: number;
  maxTokenBytes: number;
}

/**
 * The `passport-jwt` strategy of one security definition, named after it. Before any key is touched it runs ESP's
 * checks in ESP's order (parse, issuer, time, audience); the key is chosen by `kid` and by what the key can verify,
 * never by the token's say-so; `jsonwebtoken` then checks the signature.
 * @publicApi
 */
export class EndpointsJwtStrategy extends JwtStrategy {
  constructor(
    readonly provider: EndpointsProvider,
    readonly keys: KeySet,
    settings: StrategySettings,
  ) {
    super(
      {
        jwtFromRequest: (request: HttpRequestLike) => slotOf(request)?.jwt.raw ?? soleToken(request, provider),
        // jsonwebtoken takes a KeyObject, though passport-jwt's types only name strings and buffers.
        secretOrKeyProvider: (request: HttpRequestLike, raw: string, done: (error: unknown, key?: never) => void) => {
          keyFor(request, raw, provider, keys, settings).then((key) => done(null, key as never), (error: unknown) => done(error));
        },
        issuer: provider.issuer,
        // The key set's own algorithms: a symmetric key written in the spec serves HMAC, a fetched set never does.
        algorithms: (provider.keys.kind === 'symmetric' ? [...provider.keys.record.algorithms] : ASYMMETRIC_ALGORITHMS) as Algorithm[],
        // The ESP time rule already ran (exp <= now + skew passes); one more second keeps jsonwebtoken's `>=` from
        // refusing the boundary second ESP accepts.
        jsonWebTokenOptions: { clockTolerance: settings.clockSkewSeconds + 1 },
      },
      (payload: unknown, done: (error: unknown, user?: unknown) => void) => done(null, payload),
    );
    this.name = provider.name;
  }
}

/**
 * The token when the strategy runs on its own (a user's `AuthGuard(name)`): ESP verifies every token a request
 * carries, one strategy run verifies one, so a request with several different tokens gets none (401).
 */
function soleToken(request: HttpRequestLike, provider: EndpointsProvider): string | null {
  const tokens = new Set(extractTokens(request, provider.locations));
  return tokens.size === 1 ? [...tokens][0] : null;
}

function slotOf(request: HttpRequestLike): TokenSlot | undefined {
  return request[TOKEN_SLOT] as TokenSlot | undefined;
}

async function keyFor(
  request: HttpRequestLike,
  raw: string,
  provider: EndpointsProvider,
  store: KeySet,
  settings: StrategySettings,
): Promise<KeyObject> {
  const slot = slotOf(request);
  const jwt: ParsedJwt = slot?.jwt.raw === raw ? slot.jwt : parseJwt(raw, settings.maxTokenBytes);
  checkClaims(jwt.payload, provider, settings.clockSkewSeconds, Math.floor(Date.now() / 1000));
  const { alg, kid } = jwt.header;
  let keys = await store.getKeys();
  let candidates = selectKeys(keys, alg, kid);
  // A kid the set does not hold may be a key rotated in since the last fetch.
  if (candidates.length === 0 && kid !== undefined && !keys.some((key) => key.kid === kid)) {
    keys = await store.getKeysForUnknownKid();
    candidates = selectKeys(keys, alg, kid);
  }
  if (candidates.length === 0) throw new AuthError('KEY_NOT_FOUND');
  // ESPv2 tries each remaining key; passport-jwt takes one, so hand it the one that verifies (or the first).
  const key = candidates.length === 1 ? candidates[0] : (candidates.find((c) => verifySignature(jwt, c)) ?? candidates[0]);
  if (slot?.jwt === jwt) slot.key = key;
  return key.key;
}
