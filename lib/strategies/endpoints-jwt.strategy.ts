import passport from 'passport';
import { AuthError, invalidToken } from '../errors/auth-error.js';
import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import type { KeyRecord } from '../keys/key-record.interface.js';
import type { KeySet } from '../keys/key-set.interface.js';
import { selectKeys } from '../keys/select-keys.js';
import { verifySignature } from '../keys/verify-signature.js';
import { checkClaims } from '../token/check-claims.js';
import { extractTokens } from '../token/extract-tokens.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { parseJwt } from '../token/parse-jwt.js';
import type { ParsedJwt } from '../token/parsed-jwt.interface.js';
import type { TokenProfile } from './token-profile.interface.js';
import { TOKEN_SLOT, type TokenSlot } from './token-slot.js';

/** The settings a strategy verifies with. */
export interface StrategySettings {
  clockSkewSeconds: number;
  maxTokenBytes: number;
}

/** What Passport adds to the object it runs a strategy on. */
type PassportActions = passport.StrategyCreatedStatic;

/**
 * The Passport strategy of one security definition, named after it. It runs ESP's checks in ESP's order (parse,
 * issuer, time, audience), then picks keys by `kid` and by what each key can verify, never by the token's say-so, and
 * checks the signature with `node:crypto` on a `KeyObject` parsed when the keys were fetched. A definition's `profile`
 * (the Firebase one) adds its checks after ESP's claim checks, before the keys.
 * @publicApi
 */
export class EndpointsJwtStrategy extends passport.Strategy {
  override name: string;

  constructor(
    readonly provider: EndpointsProvider,
    readonly keys: KeySet,
    private readonly settings: StrategySettings,
    readonly profile?: TokenProfile,
  ) {
    super();
    this.name = provider.name;
  }

  /**
   * Passport's entry point: `success(claims)`, or `fail(AuthError)` with ESP's answer. With the keys at hand (the
   * usual case) everything runs synchronously; only a fetch, or a refetch for an unknown kid, is waited for.
   */
  override authenticate(incoming: object, options?: Record<PropertyKey, unknown>): void {
    // Passport runs this on an object it derived from the strategy, with its actions added; the request may come
    // from Express or Fastify, hence the narrow view of it.
    const self = this as this & PassportActions;
    const slot = options?.[TOKEN_SLOT] as TokenSlot | undefined;
    let jwt: ParsedJwt;
    try {
      jwt = slot?.jwt ?? parseJwt(soleToken(incoming as HttpRequestLike, this.provider), this.settings.maxTokenBytes);
      const nowSeconds = Math.floor(Date.now() / 1000);
      checkClaims(jwt.payload, this.provider, this.settings.clockSkewSeconds, nowSeconds, slot?.audiences);
      this.profile?.check(jwt, nowSeconds, this.settings.clockSkewSeconds);
    } catch (error) {
      return answer(self, error);
    }
    const keys = this.keys.current();
    const outcome = keys && this.choose(jwt, keys, true);
    // The usual, synchronous end makes no closure; only a run that waits for the keys needs one.
    if (outcome) return settle(self, slot, jwt, outcome);
    this.chooseAfterFetch(jwt).then(
      (fetched) => settle(self, slot, jwt, fetched),
      (error: unknown) => answer(self, error),
    );
  }

  /**
   * ESPv2's choice: the first candidate key whose signature verifies; `undefined` when the set lacks the token's kid
   * and `mayRefetch` allows looking for a key rotated in since the last fetch.
   */
  private choose(jwt: ParsedJwt, keys: readonly KeyRecord[], mayRefetch: boolean): KeyRecord | AuthError | undefined {
    const { alg, kid } = jwt.header;
    const candidates = selectKeys(keys, alg, kid);
    if (candidates.length === 0) {
      if (mayRefetch && kid !== undefined && !keys.some((key) => key.kid === kid)) return undefined;
      return new AuthError('KEY_NOT_FOUND');
    }
    for (const candidate of candidates) if (verifySignature(jwt, candidate)) return candidate;
    return invalidToken('Jwt verification fails');
  }

  /** The choice once the keys are fetched, after at most one refetch for a kid the set does not hold. */
  private async chooseAfterFetch(jwt: ParsedJwt): Promise<KeyRecord | AuthError> {
    const outcome = this.choose(jwt, await this.keys.getKeys(), true);
    return outcome ?? this.choose(jwt, await this.keys.getKeysForUnknownKid(), false)!;
  }
}

/** The run's answer once a key is chosen, recorded in the guard's slot when there is one. */
function settle(actions: PassportActions, slot: TokenSlot | undefined, jwt: ParsedJwt, outcome: KeyRecord | AuthError): void {
  // `choose` answers KEY_NOT_FOUND when no key fits, INVALID_TOKEN when keys fit but none verifies.
  if (slot) slot.keyFound = !(outcome instanceof AuthError && outcome.code === 'KEY_NOT_FOUND');
  if (outcome instanceof AuthError) return actions.fail(outcome);
  if (slot) slot.key = outcome;
  actions.success(jwt.payload);
}

/** An `AuthError` is the request's answer (a failure); anything else is a fault Passport passes on as an error. */
function answer(actions: PassportActions, error: unknown): void {
  if (error instanceof AuthError) actions.fail(error);
  else actions.error(error as Error);
}

/**
 * The token when the strategy runs on its own (a user's `AuthGuard(name)`): ESP verifies every token a request
 * carries, one strategy run verifies one, so a request with several different tokens gets none (401).
 */
function soleToken(request: HttpRequestLike, provider: EndpointsProvider): string {
  const tokens = new Set(extractTokens(request, provider.locations));
  if (tokens.size === 0) throw new AuthError('MISSING_TOKEN');
  if (tokens.size > 1) throw invalidToken('Jwt verification fails');
  return tokens.values().next().value as string;
}
