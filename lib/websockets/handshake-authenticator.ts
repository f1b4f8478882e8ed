import type { CanActivate } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import { ENDPOINTS_AUTH_SETTINGS, ENDPOINTS_AUTH_SPEC } from '../endpoints-auth.constants.js';
import { AuthError } from '../errors/auth-error.js';
import type { ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { ENDPOINTS_AUTH_KEY_CLOCK, type KeyClock } from '../keys/key-clock.js';
import { EndpointsAuthCounters } from '../keys/key-counters.js';
import { RouteRequirements } from '../routes/route-requirements.js';
import { routedPathOf } from '../routes/route-template.util.js';
import { unionOf } from '../routes/spec-operation.js';
import { RequestAuthenticator } from '../strategies/request-authenticator.js';
import { StrategyRegistry } from '../strategies/strategy-registry.js';
import { setClaims } from '../token/claims-slot.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { issuerMatches } from '../token/issuer.util.js';
import { logRefusal } from '../guards/refusal-log.js';
import { ENDPOINTS_AUTH_GATEWAY_GUARD } from './gateway-guard.js';
import { GatewaySecurity, type HandshakeTarget } from './gateway-security.js';
import { type ConnectionVerdict, WsConnection } from './ws-connection.js';
import { attachConnection, connectionOfClient } from './ws-connections.js';

/** The longest delay `setTimeout` takes (2^31 − 1 ms, about 24.8 days); a later expiry is reached in steps. */
const MAX_TIMER_MS = 2_147_483_647;

/** What the adapters need of the Nest application: its providers. */
export interface AppLike {
  get<T = unknown>(token: unknown, options?: { strict?: boolean }): T;
}

/**
 * Verifies a WebSocket handshake once, with the module's `RequestAuthenticator`, and keeps the verdict for the
 * connection's messages; closes the connection when its token expires. Shared by the ws and socket.io adapters.
 */
export class HandshakeAuthenticator {
  private readonly anyDefinition: SecurityRequirement;

  constructor(
    private readonly spec: ResolvedSpec,
    /** What the spec requires of a GET of a handshake path, matched once per path for handshakes and messages alike. */
    private readonly routes: RouteRequirements,
    private readonly settings: ResolvedEndpointsAuthOptions,
    private readonly authenticator: RequestAuthenticator,
    private readonly registry: StrategyRegistry,
    private readonly clock: KeyClock,
    private readonly gateways: GatewaySecurity,
    private readonly counters?: EndpointsAuthCounters,
    /** The app's global guard, for its connections' messages; absent with `globalGuard: false`. */
    private readonly guard?: CanActivate,
  ) {
    this.anyDefinition = { providers: [...registry.all()].map((strategy) => strategy.provider.name), optional: true };
  }

  /** Built from the app's `EndpointsAuthModule`; a clear error when the app does not import it. */
  static of(app: AppLike): HandshakeAuthenticator {
    let authenticator: RequestAuthenticator;
    try {
      authenticator = app.get(RequestAuthenticator, { strict: false });
    } catch {
      throw new Error('The WebSocket adapter of nestjs-endpoints-auth needs EndpointsAuthModule imported by the app');
    }
    return new HandshakeAuthenticator(
      app.get<ResolvedSpec>(ENDPOINTS_AUTH_SPEC, { strict: false }),
      app.get(RouteRequirements, { strict: false }),
      app.get<ResolvedEndpointsAuthOptions>(ENDPOINTS_AUTH_SETTINGS, { strict: false }),
      authenticator,
      app.get(StrategyRegistry, { strict: false }),
      app.get<KeyClock>(ENDPOINTS_AUTH_KEY_CLOCK, { strict: false }),
      new GatewaySecurity(app.get(DiscoveryService, { strict: false }), app.get(Reflector, { strict: false })),
      app.get(EndpointsAuthCounters, { strict: false }),
      globalGuardOf(app),
    );
  }

  /**
   * What a connection requires: the class-level `@Secured` / `@Public` of the gateways it reaches, else what the spec
   * requires of a GET of the handshake path (ESPv2 authenticates an upgrade as that GET). When several gateways
   * share the connection, a caller any of them accepts gets in; each message is checked against its own handler.
   * API keys are checked per message, by the guard, not here.
   */
  requirementFor(request: HttpRequestLike, target: HandshakeTarget, defaultPath?: string): SecurityRequirement | undefined {
    const declared = this.gateways.declaredFor(target, defaultPath);
    const fromSpec = () => this.routes.gatewayPathRequirementFor(request);
    const each = declared.length === 0 ? [fromSpec()] : declared.map((requirement) => requirement ?? fromSpec());
    if (each.some((requirement) => !requirement || requirement.providers.length === 0)) return undefined;
    // With the definitions, a gateway's own audiences and another's x-security ones are both let in.
    const union = unionOf(each, this.spec.providers)!;
    const { apiKey, apiKeyLocations, ...token } = union;
    return { ...token, optional: each.some((requirement) => requirement!.optional) };
  }

  /**
   * The connection a handshake opens, or the `AuthError` that refuses it. Where the connection requires a token,
   * a failure refuses it; elsewhere a presented token is verified against every definition, as the messages that
   * require one will need it, and a failure refuses only those messages (ESP never checks a token on a public route).
   */
  async connect(request: HttpRequestLike, target: HandshakeTarget, defaultPath?: string): Promise<WsConnection | AuthError> {
    const requirement = this.requirementFor(request, target, defaultPath);
    const against = requirement ?? this.anyDefinition;
    let verdict: ConnectionVerdict;
    try {
      const verified = against.providers.length === 0 ? undefined : await this.authenticator.verify(request, against);
      if (verified) {
        // Issuers are unique across definitions: the token's names the one that verified it.
        const providers = against.providers.map((name) => this.registry.get(name).provider);
        const provider = providers.find((one) => issuerMatches(verified.claims.iss, one.issuer))!;
        verdict = { ...verified, provider };
        setClaims(request, verified.claims);
      }
      // A handshake the connection's requirement let in; a public one decides nothing (its messages are counted).
      if (requirement) this.counters?.addPass(verified?.definition);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      if (requirement) {
        this.counters?.addRefusal(error, requirement);
        logRefusal(() => `the WebSocket handshake of ${routedPathOf(request)}`, request, requirement, error, this.registry, this.settings);
        return error;
      }
      verdict = error;
    }
    return new WsConnection(request, verdict, this.settings.clockSkewSeconds, () => this.clock.now(), this.guard);
  }

  /** Lets `client` in on `connection`, and calls `expire` once, when its caller's token expires. */
  open(client: object, connection: WsConnection, expire: (error: AuthError) => void): void {
    attachConnection(client, connection);
    const { verdict } = connection;
    if (!verdict || verdict instanceof AuthError) return;
    // Expired once the current second is past `exp` + the skew, as the claim check counts it.
    const end = (Math.trunc(verdict.claims.exp) + this.settings.clockSkewSeconds + 1) * 1000;
    const arm = (): void => {
      const left = end - this.clock.now();
      if (left <= 0) return expire(new AuthError('TOKEN_EXPIRED'));
      connection.cancelExpiry = this.clock.schedule(arm, Math.min(left, MAX_TIMER_MS));
    };
    arm();
  }

  /** Stops the expiry timer of a client that left. */
  close(client: object): void {
    connectionOfClient(client)?.cancelExpiry?.();
  }
}

/** The guard the module registered as `APP_GUARD`; `undefined` when it registered none (`globalGuard: false`). */
function globalGuardOf(app: AppLike): CanActivate | undefined {
  try {
    return app.get<CanActivate>(ENDPOINTS_AUTH_GATEWAY_GUARD, { strict: false });
  } catch {
    return undefined;
  }
}
