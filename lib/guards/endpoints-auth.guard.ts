import { type CanActivate, type ExecutionContext, Inject, Injectable, Optional } from '@nestjs/common';
import { checkApiKey } from '../api-keys/check-api-key.js';
import { ENDPOINTS_AUTH_SETTINGS } from '../endpoints-auth.constants.js';
import { AuthError } from '../errors/auth-error.js';
import { exceptionForContext } from '../errors/exception-for-context.util.js';
import { endPassThroughCall } from '../grpc/end-stream-call.util.js';
import { wwwAuthenticate } from '../errors/to-http-exception.util.js';
import { isCorsPreflight } from '../routes/cors-preflight.util.js';
import { requestOf } from '../routes/request-of.util.js';
import { EndpointsAuthCounters } from '../keys/key-counters.js';
import { RouteRequirements } from '../routes/route-requirements.js';
import { requestPathOf } from '../routes/route-template.util.js';
import { RequestAuthenticator, type VerifiedToken } from '../strategies/request-authenticator.js';
import { StrategyRegistry } from '../strategies/strategy-registry.js';
import { noteJudgedBy } from '../telemetry/refusal-definition.js';
import { setClaims } from '../token/claims-slot.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import type { ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { setUserInfo, stripUserInfo, userInfoValue } from '../user-info/user-info-header.js';
import { markGatewayMessageJudged } from '../websockets/gateway-guard.js';
import { verdictForMessage } from '../websockets/message-verdict.js';
import { logRefusal } from './refusal-log.js';

/**
 * Authenticates every route that requires a token (decorators, then the spec), holds the token to `@Secured`'s
 * scopes and claims, and puts the claims on `request.user`; failures are thrown as 401/403 with ESP's message (gRPC: UNAUTHENTICATED/PERMISSION_DENIED), never
 * returned as `false`.
 * @publicApi
 */
@Injectable()
export class EndpointsAuthGuard implements CanActivate {
  /**
   * The module's settings, injected as a property so that a subclass calling `super(routes, authenticator)` still
   * gets them (and honours `userInfoHeader`); absent only when the guard is built by hand (then ESPv2's header).
   */
  @Optional() @Inject(ENDPOINTS_AUTH_SETTINGS) private readonly settings?: ResolvedEndpointsAuthOptions;

  /** The definitions' strategies, for the debug log of refusals; injected as a property for the same reason. */
  @Optional() @Inject(StrategyRegistry) private readonly registry?: StrategyRegistry;

  /** Where passes and refusals are counted; injected as a property for the same reason. */
  @Optional() @Inject(EndpointsAuthCounters) private readonly counters?: EndpointsAuthCounters;

  constructor(
    private readonly routes: RouteRequirements,
    private readonly authenticator: RequestAuthenticator,
  ) {}

  /**
   * Lets the request through (`true`) or throws ESP's answer. Synchronous when the token is answered from the cache
   * or verified with keys at hand; a promise only when a key fetch is awaited or an RPC failure is built.
   */
  canActivate(context: ExecutionContext): boolean | Promise<boolean> {
    // Where Nest runs this guard on a gateway message itself (Nest 12), the gateways' own class guard steps aside.
    markGatewayMessageJudged(context);
    const request = this.getRequest(context);
    // Before anything can pass: a client must never be able to hand the app a forged verified caller.
    if (request) stripUserInfo(request);
    const requirement = this.routes.requirementFor(context, request);
    if (!requirement || (requirement.providers.length === 0 && !requirement.apiKey)) return true;
    if (!request) {
      // Fail closed: a route that needs a token is never opened because its context could not be read.
      const unsupported = new AuthError('UNSUPPORTED_CONTEXT', `Jwt cannot be read from a "${context.getType()}" context`);
      return this.refuse(context, undefined, unsupported, requirement);
    }
    if (isCorsPreflight(context, request)) return true;
    let outcome: ReturnType<RequestAuthenticator['verify']>;
    try {
      // A route that needs only an API key has no token to verify; a gateway message is judged by the verdict its
      // connection got at the handshake, so its token is never verified again.
      if (requirement.providers.length === 0) outcome = undefined;
      else outcome = context.getType() === 'ws' ? verdictForMessage(request, requirement) : this.authenticator.verify(request, requirement);
    } catch (error) {
      return this.refuse(context, request, error, requirement);
    }
    if (outcome instanceof Promise) {
      return outcome.then(
        (verified) => this.accept(context, request, requirement, verified),
        (error: unknown) => this.refuse(context, request, error, requirement),
      );
    }
    return this.accept(context, request, requirement, outcome);
  }

  /**
   * Lets the verified caller through once its token meets the requirement's scopes and claims and the API key the
   * route may also need has passed; ESPv2's Service Control filter runs after its JWT filter, so the key is checked
   * after the token. A validator's own error propagates.
   */
  private accept(
    context: ExecutionContext,
    request: HttpRequestLike,
    requirement: SecurityRequirement,
    verified: VerifiedToken | undefined,
  ): boolean | Promise<boolean> {
    // Here, after every transport's authentication (a cache hit and a WebSocket connection's verdict included), so no
    // token skips it; an optional route reached without a token has no claims to hold to it.
    const refusal = verified && requirement.authorization?.refusalOf(verified.claims);
    if (refusal) return this.refuse(context, request, refusal, requirement, verified);
    if (!requirement.apiKey) return this.handOver(request, verified);
    let checked: true | Promise<true>;
    try {
      checked = checkApiKey(this.settings?.apiKeys, request, requirement, context);
    } catch (error) {
      return this.refuse(context, request, error, requirement, verified);
    }
    if (!(checked instanceof Promise)) return this.handOver(request, verified);
    return checked.then(
      () => this.handOver(request, verified),
      (error: unknown) => this.refuse(context, request, error, requirement, verified),
    );
  }

  /** Hands the verified caller to the route: `@UserInfo()`, `request.user` and `X-Endpoint-API-UserInfo`. */
  private handOver(request: HttpRequestLike, verified: VerifiedToken | undefined): true {
    this.counters?.addPass(verified?.definition);
    if (verified) {
      setClaims(request, verified.claims);
      const format = this.settings ? this.settings.userInfoHeader : 'espv2';
      if (format) setUserInfo(request, userInfoValue(format, verified.token, verified.claims));
    }
    return true;
  }

  /**
   * Throws the failure as the context's exception (401/403, or a gRPC status), counted once; anything else is
   * rethrown. `verified`: the token the route refused after it passed (scopes, claims, API key).
   */
  private async refuse(
    context: ExecutionContext,
    request: HttpRequestLike | undefined,
    error: unknown,
    requirement?: SecurityRequirement,
    verified?: VerifiedToken,
  ): Promise<boolean> {
    if (!(error instanceof AuthError)) throw error;
    if (verified) noteJudgedBy(error, verified.definition);
    this.counters?.addRefusal(error, requirement);
    if (request && requirement && this.registry && this.settings) {
      const handler = () => `a call to ${context.getClass().name}.${context.getHandler().name}`;
      logRefusal(handler, request, requirement, error, this.registry, this.settings);
    }
    if (request) this.setChallenge(context, request, error);
    // A pass-through gRPC stream cannot carry a thrown failure (see endPassThroughCall): the call is ended here,
    // and the handler never runs; the pending promise is dropped with the call.
    if (endPassThroughCall(context, error)) return new Promise<boolean>(() => undefined);
    throw await exceptionForContext(context, error);
  }

  /** The request to authenticate; override to reach it in other contexts. `undefined` fails closed. */
  protected getRequest(context: ExecutionContext): HttpRequestLike | undefined {
    return requestOf(context);
  }

  private setChallenge(context: ExecutionContext, request: HttpRequestLike, error: AuthError): void {
    if (context.getType() !== 'http') return;
    const response = context.switchToHttp().getResponse<{ header?: Function; setHeader?: Function }>();
    const host = String(request.headers['host'] ?? request.headers[':authority'] ?? '');
    const value = wwwAuthenticate(error, request.protocol ?? 'http', host, requestPathOf(request));
    // Express and Fastify both offer `header(name, value)`; plain Node responses only `setHeader`.
    if (typeof response.header === 'function') response.header('WWW-Authenticate', value);
    else response.setHeader?.('WWW-Authenticate', value);
  }
}
