import type { CanActivate } from '@nestjs/common';
import { AuthError } from '../errors/auth-error.js';
import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { VerifiedToken } from '../strategies/request-authenticator.js';
import { noteJudgedBy } from '../telemetry/refusal-definition.js';
import { checkClaims } from '../token/check-claims.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';

/** The caller a connection's handshake token proved: the definition that verified it, the token and its claims. */
export interface ConnectionCaller extends VerifiedToken {
  provider: EndpointsProvider;
}

/** What the handshake left: a caller, the refusal of the token it presented, or no token at all. */
export type ConnectionVerdict = ConnectionCaller | AuthError | undefined;

/**
 * One WebSocket connection as the library sees it: its handshake request (what the guard and `@UserInfo()` read for
 * each of its messages) and the verdict on the token it presented, reached once at the handshake.
 */
export class WsConnection {
  /** Cancels the timer that closes the connection when its token expires. */
  cancelExpiry?: () => void;

  constructor(
    readonly request: HttpRequestLike,
    readonly verdict: ConnectionVerdict,
    private readonly clockSkewSeconds: number,
    private readonly now: () => number,
    /** The app's global guard, which the gateways' `GATEWAY_GUARD` runs on its messages where Nest does not (Nest 11). */
    readonly guard?: CanActivate,
  ) {}

  /**
   * The caller a message handler requiring `requirement` gets, or `undefined` when an optional requirement meets no
   * token; throws the `AuthError` ESP would answer. The signature is never checked again, but the caller's
   * definition must be one the handler accepts, and its time and audience (the requirement's, when it replaces the
   * definition's) must pass now, as for a token answered from the validated-token cache.
   */
  against(requirement: SecurityRequirement): VerifiedToken | undefined {
    const { verdict } = this;
    // A token that was presented and failed is refused wherever a token is read, even where it is optional (ESP).
    if (verdict instanceof AuthError) throw verdict;
    if (!verdict) {
      if (requirement.optional) return undefined;
      throw new AuthError('MISSING_TOKEN');
    }
    const { name } = verdict.provider;
    // ESP routes a token by its issuer: among this handler's alternatives, none has it.
    if (!requirement.providers.includes(name)) throw new AuthError('UNKNOWN_ISSUER');
    const nowSeconds = Math.floor(this.now() / 1000);
    try {
      checkClaims(verdict.claims, verdict.provider, this.clockSkewSeconds, nowSeconds, requirement.audiences?.get(name));
    } catch (error) {
      // The caller's definition judged the token now failing (expired, another audience): the refusal is counted under it.
      if (error instanceof AuthError) noteJudgedBy(error, name);
      throw error;
    }
    return verdict;
  }
}
