import { Inject, Injectable, Logger } from '@nestjs/common';
import passport from 'passport';
import { ENDPOINTS_AUTH_SETTINGS } from '../endpoints-auth.constants.js';
import { AuthError, invalidToken } from '../errors/auth-error.js';
import type { ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { extractTokens } from '../token/extract-tokens.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { parseJwt } from '../token/parse-jwt.js';
import type { ParsedJwt } from '../token/parsed-jwt.interface.js';
import type { EndpointsJwtStrategy } from './endpoints-jwt.strategy.js';
import { StrategyRegistry } from './strategy-registry.js';
import { TOKEN_SLOT } from './token-slot.js';

type Parsed = ParsedJwt | AuthError;

/**
 * Checks a request against a requirement as Envoy's `requires_any` does: each alternative reads its own locations,
 * every token it finds must verify, and a token is verified only by the definition whose issuer it names.
 * Exported for guards that extend `EndpointsAuthGuard` and call its constructor.
 * @publicApi
 */
@Injectable()
export class RequestAuthenticator {
  private readonly logger = new Logger(RequestAuthenticator.name);

  constructor(
    private readonly registry: StrategyRegistry,
    @Inject(ENDPOINTS_AUTH_SETTINGS) private readonly settings: ResolvedEndpointsAuthOptions,
  ) {}

  /** The claims of the request's token, `undefined` when an optional requirement found none; throws `AuthError`. */
  async authenticate(request: HttpRequestLike, requirement: SecurityRequirement): Promise<JwtClaims | undefined> {
    const parsed = new Map<string, Parsed>();
    let failure: AuthError | undefined;
    let unknownIssuer = false;
    for (const name of requirement.providers) {
      const strategy = this.registry.get(name);
      const tokens = extractTokens(request, strategy.provider.locations);
      if (tokens.length === 0) continue;
      const outcome = await this.verifyAll(request, strategy, tokens, parsed);
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
  ): Promise<JwtClaims | AuthError> {
    let claims: JwtClaims | undefined;
    for (const token of [...new Set(tokens)].reverse()) {
      let jwt = parsed.get(token);
      if (!jwt) {
        jwt = tryParse(token, this.settings.maxTokenBytes);
        parsed.set(token, jwt);
      }
      if (jwt instanceof AuthError) return jwt;
      // Routing by the unverified `iss`: another definition's token is never handed to this strategy.
      if (jwt.payload.iss !== strategy.provider.issuer) return new AuthError('UNKNOWN_ISSUER');
      const outcome = await this.runStrategy(request, strategy, jwt);
      if (outcome instanceof AuthError) return outcome;
      claims = outcome;
    }
    return claims as JwtClaims;
  }

  private runStrategy(request: HttpRequestLike, strategy: EndpointsJwtStrategy, jwt: ParsedJwt): Promise<JwtClaims | AuthError> {
    return new Promise((resolve, reject) => {
      request[TOKEN_SLOT] = { jwt };
      try {
        // Passport writes success/fail/error onto the strategy object it is given; a fresh object per attempt keeps
        // concurrent requests from answering each other.
        passport.authenticate(Object.create(strategy), { session: false }, (error: unknown, user: unknown, info: unknown) => {
          if (error) reject(error);
          else resolve(user ? (user as JwtClaims) : this.toAuthError(strategy.name, info));
        })(request, {}, reject);
      } finally {
        // The strategy reads the slot synchronously when it starts; nothing else should see it.
        delete request[TOKEN_SLOT];
      }
    });
  }

  private toAuthError(name: string, info: unknown): AuthError {
    if (info instanceof AuthError) return info;
    const error = info as { name?: string; message?: string } | undefined;
    this.logger.debug(`"${name}" refused a token: ${error?.name ?? 'Error'}: ${error?.message ?? 'unknown'}`);
    if (error?.name === 'TokenExpiredError') return new AuthError('TOKEN_EXPIRED');
    if (error?.name === 'NotBeforeError') return new AuthError('TOKEN_NOT_YET_VALID');
    return invalidToken('Jwt verification fails');
  }
}

function tryParse(token: string, maxTokenBytes: number): Parsed {
  try {
    return parseJwt(token, maxTokenBytes);
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
}
