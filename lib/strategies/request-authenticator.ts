import { Inject, Injectable, Logger } from '@nestjs/common';
import { ENDPOINTS_AUTH_SETTINGS } from '../endpoints-auth.constants.js';
import { AuthError, authErrorOf, invalidToken } from '../errors/auth-error.js';
import type { ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';
import type { JwtLocation } from '../interfaces/provider.interface.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { extractTokens } from '../token/extract-tokens.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { parseJwt } from '../token/parse-jwt.js';
import type { ParsedJwt } from '../token/parsed-jwt.interface.js';
import { checkClaims } from '../token/check-claims.js';
import { issuerMatches } from '../token/issuer.util.js';
import { deepFreeze } from '../token/deep-freeze.util.js';
import { ValidatedTokenCache } from '../token/validated-token-cache.js';
import { EndpointsAuthCounters } from '../keys/key-counters.js';
import type { EndpointsJwtStrategy } from './endpoints-jwt.strategy.js';
import { StrategyRegistry } from './strategy-registry.js';
import { runStrategy } from './run-strategy.js';
import { TOKEN_SLOT, type TokenSlot } from './token-slot.js';

type Parsed = ParsedJwt | AuthError;

/** A token that passed every check, with its claims (ESP forwards both). */
export interface VerifiedToken {
  /** The compact token as the request carried it. */
  token: string;
  /** Its payload, deep-frozen. */
  claims: JwtClaims;
}

/**
 * Checks a request against a requirement as Envoy's `requires_any` does: each alternative reads its own locations,
 * every token it finds must verify, and a token is verified only by the definition whose issuer it names.
 * Exported for guards that extend `EndpointsAuthGuard` and call its constructor.
 * @publicApi
 */
@Injectable()
export class RequestAuthenticator {
  private readonly logger = new Logger(RequestAuthenticator.name);
  private readonly cache?: ValidatedTokenCache;

  constructor(
    private readonly registry: StrategyRegistry,
    @Inject(ENDPOINTS_AUTH_SETTINGS) private readonly settings: ResolvedEndpointsAuthOptions,
    private readonly counters: EndpointsAuthCounters,
  ) {
    if (!settings.tokenCache) return;
    const cache = (this.cache = new ValidatedTokenCache(settings.tokenCache));
    for (const strategy of registry.all()) strategy.keys.onKeysRemoved((removed) => cache.dropKeys(removed));
  }

  /** The claims of the request's token, `undefined` when an optional requirement found none; throws `AuthError`. */
  async authenticate(request: HttpRequestLike, requirement: SecurityRequirement): Promise<JwtClaims | undefined> {
    return (await this.verify(request, requirement))?.claims;
  }

  /** The token that passed and its claims, `undefined` when an optional requirement found none; throws `AuthError`. */
  async verify(request: HttpRequestLike, requirement: SecurityRequirement): Promise<VerifiedToken | undefined> {
    const parsed = new Map<string, Parsed>();
    // Alternatives usually share their locations (ESP's defaults): each list is read once per request.
    const found = new Map<readonly JwtLocation[], string[]>();
    let failure: AuthError | undefined;
    let unknownIssuer = false;
    for (const name of requirement.providers) {
      const strategy = this.registry.get(name);
      const { locations } = strategy.provider;
      let tokens = found.get(locations);
      if (!tokens) found.set(locations, (tokens = extractTokens(request, locations)));
      if (tokens.length === 0) continue;
      const outcome = await this.verifyAll(request, strategy, tokens, parsed, requirement.audiences?.get(name));
      if (!(outcome instanceof AuthError)) return outcome;
      // Envoy reports the last alternative's real failure, else "unknown issuer", else "missing" (verifier.cc).
      if (outcome.code === 'UNKNOWN_ISSUER') unknownIssuer = true;
      else failure = outcome;
    }
    if (failure) throw failure;
    if (unknownIssuer) throw new AuthError('UNKNOWN_ISSUER');
    if (requirement.optional) return undefined;
    throw new AuthError('MISSING_TOKEN');
  }

  /** Every token must pass; like Envoy, the last one found is checked first and the first failure is the answer. */
  private async verifyAll(
    request: HttpRequestLike,
    strategy: EndpointsJwtStrategy,
    tokens: string[],
    parsed: Map<string, Parsed>,
    audiences: readonly string[] | undefined,
  ): Promise<VerifiedToken | AuthError> {
    let verified: VerifiedToken | undefined;
    // One token is the usual case: no copies are made for it.
    for (const token of tokens.length === 1 ? tokens : [...new Set(tokens)].reverse()) {
      const cached = this.fromCache(token, strategy, audiences);
      if (cached instanceof AuthError) return cached;
      if (cached) {
        verified = { token, claims: cached };
        continue;
      }
      let jwt = parsed.get(token);
      if (!jwt) {
        jwt = authErrorOf(() => parseJwt(token, this.settings.maxTokenBytes));
        parsed.set(token, jwt);
      }
      if (jwt instanceof AuthError) return jwt;
      // Routing by the unverified `iss`: another definition's token is never handed to this strategy.
      if (!issuerMatches(jwt.payload.iss, strategy.provider.issuer)) return new AuthError('UNKNOWN_ISSUER');
      const slot: TokenSlot = { jwt, audiences };
      const outcome = await this.runStrategy(request, strategy, slot);
      if (outcome instanceof AuthError) return outcome;
      const claims = deepFreeze(outcome);
      if (this.cache && slot.key) this.cache.set(token, { claims, provider: strategy.name, key: slot.key }, Date.now());
      verified = { token, claims };
    }
    return verified!;
  }

  /**
   * A cached token skips the parse and the signature, never the checks that depend on the route and the clock: its
   * definition must be this alternative, and its time and audience (this requirement's, when it replaces the
   * definition's) must pass now.
   */
  private fromCache(token: string, strategy: EndpointsJwtStrategy, audiences: readonly string[] | undefined): JwtClaims | AuthError | undefined {
    if (!this.cache) return undefined;
    const entry = this.cache.get(token);
    this.counters.addToken(entry ? 'hits' : 'misses');
    if (!entry) return undefined;
    if (entry.provider !== strategy.name) return new AuthError('UNKNOWN_ISSUER');
    const now = Date.now();
    // Past the grace period the keys are gone, and so is every token they verified.
    if (!strategy.keys.usable(now)) return new AuthError('KEYS_UNAVAILABLE');
    const failure = authErrorOf(() =>
      checkClaims(entry.claims, strategy.provider, this.settings.clockSkewSeconds, Math.floor(now / 1000), audiences),
    );
    return failure ?? entry.claims;
  }

  private async runStrategy(request: HttpRequestLike, strategy: EndpointsJwtStrategy, slot: TokenSlot): Promise<JwtClaims | AuthError> {
    const { user, info, error } = await runStrategy(strategy, request, { session: false, [TOKEN_SLOT]: slot });
    if (error) throw error;
    return user ? (user as JwtClaims) : this.toAuthError(strategy.name, info);
  }

  /** The strategy fails only with an `AuthError`; anything else from Passport is a refusal without a reason. */
  private toAuthError(name: string, info: unknown): AuthError {
    if (info instanceof AuthError) return info;
    this.logger.debug(`"${name}" refused a token without a reason`);
    return invalidToken('Jwt verification fails');
  }
}
