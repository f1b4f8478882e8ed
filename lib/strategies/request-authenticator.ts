import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import { ENDPOINTS_AUTH_SETTINGS } from '../endpoints-auth.constants.js';
import { AuthError, invalidToken } from '../errors/auth-error.js';
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
import { GrpcServiceAudiences } from '../grpc/grpc-service-audiences.js';
import { ENDPOINTS_AUTH_TRACER } from '../telemetry/load-tracer.js';
import { noteJudgedBy } from '../telemetry/refusal-definition.js';
import type { TracerLike } from '../telemetry/tracer-like.js';
import { endVerificationSpan, startVerificationSpan } from '../telemetry/verification-span.js';
import type { EndpointsJwtStrategy } from './endpoints-jwt.strategy.js';
import { StrategyRegistry } from './strategy-registry.js';
import { type StrategyOutcome, runStrategy } from './run-strategy.js';
import { TOKEN_SLOT, type TokenSlot } from './token-slot.js';

type Parsed = ParsedJwt | AuthError;

/**
 * What one request's verification has learnt so far, across alternatives. The maps share what alternatives have in
 * common (their locations, their tokens); a requirement of one alternative, the usual case, has nothing to share and
 * makes none.
 */
interface Attempt {
  parsed?: Map<string, Parsed>;
  found?: Map<readonly JwtLocation[], string[] | AuthError>;
  failure?: AuthError;
  unknownIssuer: boolean;
}

/**
 * The alternative `name`'s verdict folded into the attempt: its token when it passed, else `undefined` (failure
 * noted, and the definition it is counted under).
 */
function passed(outcome: VerifiedToken | AuthError, state: Attempt, name: string): VerifiedToken | undefined {
  if (!(outcome instanceof AuthError)) return outcome;
  if (outcome.code === 'UNKNOWN_ISSUER') state.unknownIssuer = true;
  else {
    state.failure = outcome;
    noteJudgedBy(outcome, name);
  }
  return undefined;
}

/**
 * The tokens at `locations`, or the `AuthError` that fails the alternative (a cookie sent twice with different
 * values, as a bad token would); without a closure, as the authenticator calls it on every request.
 */
function tokensAt(request: HttpRequestLike, locations: readonly JwtLocation[]): string[] | AuthError {
  try {
    return extractTokens(request, locations);
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
}

/** The parsed token, or the `AuthError` its parse failed with. */
function parsedOrError(token: string, maxTokenBytes: number): Parsed {
  try {
    return parseJwt(token, maxTokenBytes);
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
}

/** A token that passed every check, with its claims (ESP forwards both). */
export interface VerifiedToken {
  /** The compact token as the request carried it. */
  token: string;
  /** Its payload, deep-frozen. */
  claims: JwtClaims;
  /** The security definition that verified it. */
  definition: string;
}

/**
 * Checks a request against a requirement as Envoy's `requires_any` does: each alternative reads its own locations,
 * every token it finds must verify, and a token is verified only by the definition whose issuer it names.
 * Exported for guards that extend `EndpointsAuthGuard` and call its constructor. It authenticates only: a
 * requirement's scopes and claims are checked by the guard (`requirement.authorization?.refusalOf(claims)`).
 * @publicApi
 */
@Injectable()
export class RequestAuthenticator {
  private readonly logger = new Logger(RequestAuthenticator.name);
  private readonly cache?: ValidatedTokenCache;
  private readonly grpcAudiences = new GrpcServiceAudiences();

  constructor(
    private readonly registry: StrategyRegistry,
    @Inject(ENDPOINTS_AUTH_SETTINGS) private readonly settings: ResolvedEndpointsAuthOptions,
    private readonly counters: EndpointsAuthCounters,
    // Optional, so a guard subclass or a tool that builds the authenticator itself need not know about tracing.
    @Optional() @Inject(ENDPOINTS_AUTH_TRACER) private readonly tracer?: TracerLike,
  ) {
    if (!settings.tokenCache) return;
    const cache = (this.cache = new ValidatedTokenCache(settings.tokenCache));
    for (const strategy of registry.all()) strategy.keys.onKeysRemoved((removed) => cache.dropKeys(removed));
  }

  /** The claims of the request's token, `undefined` when an optional requirement found none; throws `AuthError`. */
  async authenticate(request: HttpRequestLike, requirement: SecurityRequirement): Promise<JwtClaims | undefined> {
    return (await this.verify(request, requirement))?.claims;
  }

  /**
   * The token that passed and its claims, `undefined` when an optional requirement found none; throws (or rejects
   * with) an `AuthError`. Synchronous when every token is answered from the cache or with keys at hand, so the
   * common request pays for no promise; a promise only when a fetch is awaited.
   */
  verify(request: HttpRequestLike, requirement: SecurityRequirement): VerifiedToken | undefined | Promise<VerifiedToken | undefined> {
    const shared = requirement.providers.length > 1;
    const state: Attempt = shared ? { parsed: new Map(), found: new Map(), unknownIssuer: false } : { unknownIssuer: false };
    return this.verifyFrom(0, request, requirement, state);
  }

  /** Tries the alternatives from `start` on, as Envoy's `requires_any`: the first that passes is the answer. */
  private verifyFrom(
    start: number,
    request: HttpRequestLike,
    requirement: SecurityRequirement,
    state: Attempt,
  ): VerifiedToken | undefined | Promise<VerifiedToken | undefined> {
    const { providers } = requirement;
    for (let index = start; index < providers.length; index++) {
      const name = providers[index];
      const strategy = this.registry.get(name);
      const { locations } = strategy.provider;
      // Alternatives usually share their locations (ESP's defaults): each list is read once per request.
      let tokens = state.found?.get(locations);
      if (!tokens) {
        tokens = tokensAt(request, locations);
        state.found?.set(locations, tokens);
      }
      if (tokens instanceof AuthError) {
        passed(tokens, state, name);
        continue;
      }
      if (tokens.length === 0) continue;
      // A rule's audiences replace the definition's; else a gRPC call may add the URL of the service it reached.
      const audiences = requirement.audiences?.get(name) ?? this.grpcAudiences.of(strategy.provider, request);
      const outcome = this.verifyAll(request, strategy, tokens, state.parsed, audiences);
      if (outcome instanceof Promise) {
        return outcome.then((settled) => passed(settled, state, name) ?? this.verifyFrom(index + 1, request, requirement, state));
      }
      const verified = passed(outcome, state, name);
      if (verified) return verified;
    }
    // Envoy reports the last alternative's real failure, else "unknown issuer", else "missing" (verifier.cc).
    if (state.failure) throw state.failure;
    if (state.unknownIssuer) throw new AuthError('UNKNOWN_ISSUER');
    if (requirement.optional) return undefined;
    throw new AuthError('MISSING_TOKEN');
  }

  /** Every token must pass; like Envoy, the last one found is checked first and the first failure is the answer. */
  private verifyAll(
    request: HttpRequestLike,
    strategy: EndpointsJwtStrategy,
    tokens: string[],
    parsed: Map<string, Parsed> | undefined,
    audiences: readonly string[] | undefined,
  ): VerifiedToken | AuthError | Promise<VerifiedToken | AuthError> {
    // One token is the usual case: no copies are made for it.
    const ordered = tokens.length === 1 ? tokens : [...new Set(tokens)].reverse();
    return this.verifyTokens(ordered, 0, undefined, request, strategy, parsed, audiences);
  }

  private verifyTokens(
    tokens: readonly string[],
    start: number,
    verified: VerifiedToken | undefined,
    request: HttpRequestLike,
    strategy: EndpointsJwtStrategy,
    parsed: Map<string, Parsed> | undefined,
    audiences: readonly string[] | undefined,
  ): VerifiedToken | AuthError | Promise<VerifiedToken | AuthError> {
    for (let index = start; index < tokens.length; index++) {
      const token = tokens[index];
      const cached = this.fromCache(token, strategy, audiences);
      if (cached instanceof AuthError) return cached;
      if (cached) {
        // A profile's recheck (revocation) is never skipped by the cache: its verdicts keep their own time.
        const refusal = strategy.profile?.recheck?.(cached);
        if (refusal instanceof Promise) {
          const rest = (settled: AuthError | undefined) =>
            settled ?? this.verifyTokens(tokens, index + 1, { token, claims: cached, definition: strategy.name }, request, strategy, parsed, audiences);
          return refusal.then(rest);
        }
        if (refusal) return refusal;
        verified = { token, claims: cached, definition: strategy.name };
        continue;
      }
      let jwt = parsed?.get(token);
      if (!jwt) {
        jwt = parsedOrError(token, this.settings.maxTokenBytes);
        parsed?.set(token, jwt);
      }
      if (jwt instanceof AuthError) return jwt;
      // Routing by the unverified `iss`: another definition's token is never handed to this strategy.
      if (!issuerMatches(jwt.payload.iss, strategy.provider.issuer)) return new AuthError('UNKNOWN_ISSUER');
      const slot: TokenSlot = { jwt, audiences };
      // A full verification (a cache miss) is traced; `tracer` is undefined when tracing is off or not installed.
      const span = this.tracer && startVerificationSpan(this.tracer, strategy.name);
      const next = (outcome: StrategyOutcome, awaitedKeys: boolean): VerifiedToken | AuthError | Promise<VerifiedToken | AuthError> => {
        if (span) endVerificationSpan(span, outcome, slot.keyFound, awaitedKeys);
        const claims = this.claimsOf(strategy.name, outcome);
        if (claims instanceof AuthError) return claims;
        if (this.cache && slot.key) this.cache.set(token, { claims, provider: strategy.name, key: slot.key }, Date.now());
        const rest = (refusal: AuthError | undefined) =>
          refusal ?? this.verifyTokens(tokens, index + 1, { token, claims, definition: strategy.name }, request, strategy, parsed, audiences);
        const refusal = strategy.profile?.recheck?.(claims);
        return refusal instanceof Promise ? refusal.then(rest) : rest(refusal);
      };
      const outcome = runStrategy(strategy, request, { session: false, [TOKEN_SLOT]: slot });
      return outcome instanceof Promise ? outcome.then((settled) => next(settled, true)) : next(outcome, false);
    }
    return verified!;
  }

  /**
   * A cached token skips the parse and the signature, never the checks that depend on the route and the clock: its
   * definition must be this alternative, and its time and audience (this call's: a rule's, or a gRPC service's URL,
   * when they replace the definition's) must pass now, so a token accepted on one gRPC service or route is re-judged
   * on the next.
   */
  private fromCache(token: string, strategy: EndpointsJwtStrategy, audiences: readonly string[] | undefined): JwtClaims | AuthError | undefined {
    if (!this.cache) return undefined;
    // One clock read judges both the entry's TTL and the claims' time.
    const now = Date.now();
    const entry = this.cache.get(token, now);
    this.counters.addToken(entry ? 'hits' : 'misses');
    if (!entry) return undefined;
    if (entry.provider !== strategy.name) return new AuthError('UNKNOWN_ISSUER');
    // Past the grace period the keys are gone, and so is every token they verified.
    if (!strategy.keys.usable()) return new AuthError('KEYS_UNAVAILABLE');
    // try/catch rather than authErrorOf: no closure on the path every cache hit takes.
    try {
      checkClaims(entry.claims, strategy.provider, this.settings.clockSkewSeconds, Math.floor(now / 1000), audiences);
    } catch (error) {
      if (error instanceof AuthError) return error;
      throw error;
    }
    return entry.claims;
  }

  /** The verified claims (deep-frozen), or the `AuthError` the strategy failed with; a fault is rethrown. */
  private claimsOf(name: string, { user, info, error }: StrategyOutcome): JwtClaims | AuthError {
    if (error) throw error;
    return user ? deepFreeze(user as JwtClaims) : this.toAuthError(name, info);
  }

  /** The strategy fails only with an `AuthError`; anything else from Passport is a refusal without a reason. */
  private toAuthError(name: string, info: unknown): AuthError {
    if (info instanceof AuthError) return info;
    this.logger.debug(`"${name}" refused a token without a reason`);
    return invalidToken('Jwt verification fails');
  }
}
