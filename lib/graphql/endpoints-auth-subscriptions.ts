import { Inject, Injectable, Logger, Optional } from '@nestjs/common';
import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import { ENDPOINTS_AUTH_SETTINGS, ENDPOINTS_AUTH_SPEC } from '../endpoints-auth.constants.js';
import { AuthError } from '../errors/auth-error.js';
import type { ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { ENDPOINTS_AUTH_KEY_CLOCK, type KeyClock } from '../keys/key-clock.js';
import { EndpointsAuthCounters } from '../keys/key-counters.js';
import { unionOf } from '../routes/spec-operation.js';
import { routedPathOf } from '../routes/route-template.util.js';
import { RequestAuthenticator } from '../strategies/request-authenticator.js';
import { StrategyRegistry } from '../strategies/strategy-registry.js';
import { setClaims } from '../token/claims-slot.js';
import { stripUserInfo } from '../user-info/user-info-header.js';
import { parseJwt } from '../token/parse-jwt.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { connectionRequest } from './connection-request.js';
import { connectionTokens } from './connection-token.util.js';
import { EndpointsAuthIntrospection } from './endpoints-auth-introspection.js';
import {
  dropUserInfo,
  MERCURIUS_CONNECTION,
  MERCURIUS_OPERATION_REQUEST,
  type MercuriusSocketState,
  type MercuriusSubscriptionAuth,
} from './mercurius-subscription-auth.js';
import { wsCloseReasonOf } from '../websockets/ws-refusal.js';

/**
 * The close codes of a refused or ended graphql-ws connection: 4401 for ESP's 401s, 4403 for its 403 (the audience
 * failure), as graphql-ws itself closes with 4401 Unauthorized and 4403 Forbidden.
 * @publicApi
 */
export const GRAPHQL_WS_CLOSE = { UNAUTHORIZED: 4401, FORBIDDEN: 4403 } as const;

/** The text an operation selecting introspection must contain. */
const INTROSPECTION_TEXT = /__schema|__type(?!name)/;

/** `setTimeout` takes at most 2^31 - 1 ms (about 24.8 days); a later end is reached in steps. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * What the library reads of a graphql-ws connection (`Context` of `graphql-ws`, with the `extra` of its `ws` server,
 * which Nest's GraphQL module uses), written out so that its declarations never import graphql-ws.
 * @publicApi
 */
export interface GraphqlWsConnection {
  readonly connectionParams?: Readonly<Record<string, unknown>>;
  readonly extra: unknown;
}

/** The `extra` of graphql-ws's `ws` server: the socket and the upgrade request. */
interface WsExtra {
  socket?: { close(code: number, reason: string): void; once?(event: 'close', listener: () => void): unknown };
  request?: { url?: string };
}

/**
 * How `EndpointsAuthSubscriptions.graphqlWs()` and `.mercurius()` treat connections.
 * @publicApi
 */
export interface GraphqlWsAuthOptions {
  /**
   * Accept a connection that sends no token; each subscription is then held to its resolver's requirement (a public
   * one runs, a secured one is refused). Default `false`: such a connection is closed with 4401 "Jwt is missing".
   */
  anonymous?: boolean;
  /**
   * Keep a connection open after its token expires. Default `false`: the connection is closed with 4401
   * "Jwt is expired" the moment ESP would refuse the token, which ends its subscriptions. Kept or not, a subscription
   * started after the expiry is refused.
   */
  keepAfterExpiry?: boolean;
}

/**
 * The options that authenticate graphql-ws connections, for `subscriptions: { 'graphql-ws': ... }`.
 * @publicApi
 */
export interface GraphqlWsAuth {
  /** Verifies the `connectionParams` tokens at connection init; a refusal closes the socket with 4401 or 4403. */
  onConnect(connection: GraphqlWsConnection): Promise<boolean>;
  /** Each operation's context: `req`, the connection's request, which the guard and `@UserInfo()` read. */
  context(connection: GraphqlWsConnection): { req: HttpRequestLike };
  /**
   * Refuses an operation that selects introspection the endpoint does not allow the connection (graphql-ws answers
   * its `error` frame with the GraphQLError). Typed loosely so that these declarations never import graphql.
   */
  onSubscribe(connection: GraphqlWsConnection, id: string, payload: { query?: unknown }): Promise<any>;
}

/**
 * Authenticates GraphQL subscriptions over graphql-ws (Apollo) and Mercurius's subscription server: every token in
 * `connectionParams`, or Mercurius's `connection_init` payload (`Authorization`, `authorization`, `access_token`), is
 * verified once at connection init, against any definition the spec defines;
 * each subscription is then checked by the guard against its resolver's requirement (from the validated-token cache,
 * without a new signature check while the cache holds it); the connection is closed when the token expires.
 * @publicApi
 */
@Injectable()
export class EndpointsAuthSubscriptions {
  private readonly logger = new Logger(EndpointsAuthSubscriptions.name);
  /** The request each connection stands for, from its init on. */
  private readonly requests = new WeakMap<object, HttpRequestLike>();
  /** The earliest `exp` of each connection's tokens: past it (plus the skew) ESP would refuse the connection's request. */
  private readonly expiries = new WeakMap<object, number>();
  /** What a connection's token must satisfy: a token of any definition the spec defines, with its audiences. */
  private readonly connectionRequirement: SecurityRequirement;
  /** Where connections let in and refused are counted; a property, so the constructor stays as users may call it. */
  @Optional() @Inject(EndpointsAuthCounters) private readonly counters?: EndpointsAuthCounters;

  constructor(
    @Inject(ENDPOINTS_AUTH_SPEC) spec: ResolvedSpec,
    @Inject(ENDPOINTS_AUTH_SETTINGS) private readonly settings: ResolvedEndpointsAuthOptions,
    @Inject(ENDPOINTS_AUTH_KEY_CLOCK) private readonly clock: KeyClock,
    private readonly registry: StrategyRegistry,
    private readonly authenticator: RequestAuthenticator,
    private readonly introspection: EndpointsAuthIntrospection,
  ) {
    const requirements = [spec.apiRequirement, ...spec.paths.flatMap((path) => [...path.methods.values()])];
    // The spec's operations' definitions first; then the others, which `@Secured` resolvers may name.
    const providers = [...new Set([...(unionOf(requirements)?.providers ?? []), ...[...registry.all()].map((strategy) => strategy.name)])];
    // `@Secured` resolvers hold a definition to its own audiences: the connection accepts a token for those as well as
    // for any an x-security or a rule puts in their place.
    const union = unionOf([...requirements, { providers, optional: false }], spec.providers);
    this.connectionRequirement = { ...union, providers, optional: false };
  }

  /** The graphql-ws options (`onConnect`, `context`) that authenticate each connection. */
  graphqlWs(options: GraphqlWsAuthOptions = {}): GraphqlWsAuth {
    return {
      onConnect: (connection) => this.connect(connection, options),
      context: (connection) => ({ req: this.operationRequest(connection) }),
      onSubscribe: (connection, _id, payload) => this.introspectionRefusal(connection, payload),
    };
  }

  /**
   * The Mercurius `subscription` options (`context`, `onConnect`) that authenticate each connection as `graphqlWs()`
   * does: same token fields, same close codes, same end at expiry.
   */
  mercurius(options: GraphqlWsAuthOptions = {}): MercuriusSubscriptionAuth {
    // onConnect's own `this` is Mercurius's connection, where it finds what `context` kept.
    const auth = this;
    return {
      context: (socket, request) => this.mercuriusContext(socket as MercuriusSocketState['socket'], request as MercuriusSocketState['request']),
      onConnect(data) {
        return auth.mercuriusConnect(this, data, options);
      },
    };
  }

  /**
   * Mercurius calls `subscription.context` at connection init, before `onConnect`, and merges what it returns into the
   * connection's context: the socket and upgrade request wait there for `onConnect`, and until `onConnect` replaces it
   * an operation gets a request with no caller (so a connection `onConnect` never accepted, because it was not
   * installed, has no caller rather than the upgrade request's).
   */
  private mercuriusContext(socket: MercuriusSocketState['socket'], request: MercuriusSocketState['request']): Record<symbol, unknown> {
    // Mercurius hands operations this request as `request`: a client-sent user info header must not reach them there.
    stripUserInfo(request as HttpRequestLike);
    const state: MercuriusSocketState = { socket, request };
    const connection: GraphqlWsConnection = { extra: state };
    return { [MERCURIUS_CONNECTION]: state, [MERCURIUS_OPERATION_REQUEST]: () => this.operationRequest(connection) };
  }

  /**
   * Mercurius hands `onConnect` only the init message; the socket `context` kept is reached through the connection it
   * calls `onConnect` on (`this.onConnect(data)` in mercurius/lib/subscription-connection.js), whose `context` already
   * holds what `context` returned. Without it the connection is refused (Mercurius answers `connection_error`). What
   * it returns is merged into the connection's context: each operation then asks for the connection's request as it
   * stands, as graphqlWs()'s `context` does.
   */
  private async mercuriusConnect(
    mercuriusConnection: unknown,
    data: { readonly payload?: unknown },
    options: GraphqlWsAuthOptions,
  ): Promise<false | Record<symbol, unknown>> {
    const context = (mercuriusConnection as { context?: Record<symbol, unknown> } | undefined)?.context;
    const state = context?.[MERCURIUS_CONNECTION] as MercuriusSocketState | undefined;
    if (!state) {
      this.logger.error('Mercurius connection refused: onConnect of mercurius() needs its context too, and Mercurius\'s connection as `this`');
      return false;
    }
    const payload = data?.payload;
    // Mercurius copies the payload (or its `headers`) into the upgrade request's headers after onConnect accepts it.
    dropUserInfo(payload);
    const params = typeof payload === 'object' && payload !== null && !Array.isArray(payload) ? (payload as Record<string, unknown>) : undefined;
    const connection: GraphqlWsConnection = { connectionParams: params, extra: state };
    if (!(await this.connect(connection, options))) return false;
    return { [MERCURIUS_OPERATION_REQUEST]: () => this.operationRequest(connection) };
  }

  /**
   * An operation sent over the socket does not pass through the driver's plugins or hooks: one that selects
   * introspection is held here to what the endpoint requires of the connection's request, as over HTTP. Only a query
   * whose text names `__schema` or `__type` is parsed (a field name cannot be escaped); anything else, and a query
   * that does not parse, is left to graphql-ws.
   */
  private async introspectionRefusal(connection: GraphqlWsConnection, payload: { query?: unknown }): Promise<Error[] | undefined> {
    const query = payload?.query;
    if (typeof query !== 'string' || !INTROSPECTION_TEXT.test(query)) return undefined;
    const { parse } = await import('graphql');
    let document;
    try {
      document = parse(query);
    } catch {
      return undefined;
    }
    const refusal = await this.introspection.refusalFor(document, { req: this.operationRequest(connection) });
    return refusal ? [refusal] : undefined;
  }

  private async connect(connection: GraphqlWsConnection, options: GraphqlWsAuthOptions): Promise<boolean> {
    const extra = (connection.extra ?? {}) as WsExtra;
    const tokens = connectionTokens(connection.connectionParams);
    const request = this.requestFor(connection, tokens);
    if (tokens.length === 0) {
      if (!options.anonymous) return this.refuse(extra, new AuthError('MISSING_TOKEN'));
      this.requests.set(connection, request);
      return true;
    }
    let verified;
    try {
      verified = await this.authenticator.verify(request, this.connectionRequirement);
    } catch (error) {
      if (!(error instanceof AuthError)) throw error;
      return this.refuse(extra, error);
    }
    if (verified) setClaims(request, verified.claims);
    this.counters?.addPass(verified?.definition);
    this.requests.set(connection, request);
    const exp = this.earliestExp(tokens);
    if (exp === undefined) return true;
    this.expiries.set(connection, exp);
    if (!options.keepAfterExpiry) this.endAtExpiry(extra, exp);
    return true;
  }

  /**
   * The earliest `exp` of the connection's tokens, each of which has just verified (so each parses): the claims handed
   * to resolvers are the first token's, but the connection stands for a request carrying all of them, which ESP
   * refuses once any one has expired.
   */
  private earliestExp(tokens: readonly string[]): number | undefined {
    let earliest: number | undefined;
    for (const token of tokens) {
      const exp = parseJwt(token, this.settings.maxTokenBytes).payload.exp;
      if (typeof exp === 'number' && (earliest === undefined || exp < earliest)) earliest = exp;
    }
    return earliest;
  }

  /** Closes the socket with ESP's message (4401, or 4403 for the audience); `false` tells graphql-ws not to ack. */
  private refuse(extra: WsExtra, error: AuthError): false {
    this.counters?.addRefusal(error, this.connectionRequirement);
    this.logger.debug(`GraphQL subscription connection refused: ${error.code}`);
    // graphql-ws closes with 4403 "Forbidden" after a `false`; the socket is already closing with ESP's answer.
    extra.socket?.close(error.status === 403 ? GRAPHQL_WS_CLOSE.FORBIDDEN : GRAPHQL_WS_CLOSE.UNAUTHORIZED, wsCloseReasonOf(error));
    return false;
  }

  /** Closes the connection the moment ESP would call its token expired: past `exp` plus the allowed clock skew. */
  private endAtExpiry(extra: WsExtra, exp: number): void {
    const socket = extra.socket;
    if (!socket) return;
    const end = (Math.trunc(exp) + this.settings.clockSkewSeconds + 1) * 1000;
    let cancel: () => void = () => undefined;
    const wait = () => {
      const delay = end - this.clock.now();
      if (delay > MAX_TIMER_MS) cancel = this.clock.schedule(wait, MAX_TIMER_MS);
      else cancel = this.clock.schedule(() => socket.close(GRAPHQL_WS_CLOSE.UNAUTHORIZED, new AuthError('TOKEN_EXPIRED').message), Math.max(0, delay));
    };
    wait();
    socket.once?.('close', () => cancel());
  }

  /**
   * The connection's request: its token placed where each definition reads it, on the path the upgrade request was
   * routed on (Mercurius's upgrade is a Fastify request whose route is the endpoint's, however its target was spelt:
   * `/%67raphql` reaches `/graphql` there, and must be held to that path's operation).
   */
  private requestFor(connection: GraphqlWsConnection, tokens: readonly string[]): HttpRequestLike {
    const upgrade = (connection.extra as WsExtra | undefined)?.request;
    const path = upgrade ? routedPathOf(upgrade as HttpRequestLike) : '/graphql';
    return connectionRequest(tokens, [...this.registry.all()].map((strategy) => strategy.provider), path);
  }

  /**
   * The request an operation on the connection runs with. Past its token's expiry (a connection kept with
   * `keepAfterExpiry`) it is a new request with the token but no verified caller: a secured resolver verifies the
   * token again and refuses it as expired, and a public one gets no caller, as a public HTTP route gets none.
   */
  private operationRequest(connection: GraphqlWsConnection): HttpRequestLike {
    const request = this.requests.get(connection);
    if (!request) return this.unverified(connection);
    const exp = this.expiries.get(connection);
    // Expired as the claim check counts it: the current second past `exp` plus the clock skew.
    const expired = exp !== undefined && Math.floor(this.clock.now() / 1000) > Math.trunc(exp) + this.settings.clockSkewSeconds;
    return expired ? this.requestFor(connection, connectionTokens(connection.connectionParams)) : request;
  }

  /** An operation on a connection `onConnect` never accepted (the option was not installed): no caller at all. */
  private unverified(connection: GraphqlWsConnection): HttpRequestLike {
    const request = this.requestFor(connection, []);
    this.requests.set(connection, request);
    return request;
  }
}
