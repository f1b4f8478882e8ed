import { type ExecutionContext, Inject, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { ApplicationConfig, DiscoveryService, HttpAdapterHost, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { ENDPOINTS_AUTH_SPEC, SECURED_KEY } from '../endpoints-auth.constants.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { RouteSecurity } from '../interfaces/route-security.interface.js';
import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { grpcMethodOf } from '../grpc/grpc-request.util.js';
import { describeRoute, routeLine } from './describe-route.js';
import { EndpointPathRequirements } from './endpoint-path-requirements.js';
import { httpRoutesOf } from './http-routes.js';
import { lastMatchingRule } from '../api-config/selector.util.js';
import { RouteEntry, decideRoute } from './route-entry.js';
import { RouteTable } from './route-table.js';
import { routeTemplateOf } from './route-template.util.js';
import { routerCaseFold, routerSyntax } from './router-options.js';
import { unionOf } from './spec-operation.js';
import { validateSecuredNames } from './validate-secured-names.js';
import { validateFieldResolverGuards } from '../graphql/validate-field-resolver-guards.js';
import { needsApiKey, withApiKey } from '../api-config/read-usage-rules.js';

/**
 * Decides what each request requires from the route Nest matched, never from the request text: a table of the app's
 * HTTP routes built at start-up (handler ▸ controller ▸ the spec paths the route can serve, as ESP matches them ▸ the
 * spec's API-level `security` ▸ nothing), and for a gRPC call the service config rule its method matches.
 * Exported for guards that extend `EndpointsAuthGuard` and call its constructor.
 * @publicApi
 */
@Injectable()
export class RouteRequirements implements OnModuleInit {
  private readonly logger = new Logger('EndpointsAuthRoutes');
  private table = new RouteTable([]);
  /** What a handler the table does not know must satisfy: a token of any definition the spec names. */
  private unknownRoute: SecurityRequirement | undefined;
  /** What each gRPC method requires under the service config's rules. */
  private readonly byMethod = new Map<string, SecurityRequirement | undefined>();
  /** What an undecorated GraphQL resolver requires: the spec operation of its endpoint's path. */
  private readonly graphql: EndpointPathRequirements;
  private readonly gateways: EndpointPathRequirements;

  constructor(
    @Inject(ENDPOINTS_AUTH_SPEC) private readonly spec: ResolvedSpec,
    private readonly reflector: Reflector,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
    private readonly modules: ModulesContainer,
    private readonly config: ApplicationConfig,
    private readonly adapterHost: HttpAdapterHost,
  ) {
    this.graphql = new EndpointPathRequirements(spec, this.logger, 'GraphQL', 'undecorated resolvers');
    this.gateways = new EndpointPathRequirements(spec, this.logger, 'WebSocket', 'undecorated gateway handlers', 'GET');
    this.unknownRoute = unionOf([spec.apiRequirement, ...spec.paths.flatMap((path) => [...path.methods.values()])]);
  }

  /**
   * Checks the names in `@Secured()` and that every `@Secured` field resolver will be guarded, and builds the route
   * table (Nest has registered every route by now).
   */
  onModuleInit(): void {
    validateSecuredNames(this.spec, this.discovery, this.scanner, this.reflector);
    validateFieldResolverGuards(this.discovery, this.scanner, this.reflector);
    const adapter = this.adapterHost?.httpAdapter;
    const syntax = routerSyntax(adapter);
    const fold = routerCaseFold(adapter);
    const routes = httpRoutesOf({ modules: this.modules, config: this.config, normalizePath: adapter?.normalizePath?.bind(adapter) });
    this.table = new RouteTable(
      routes.map((route) => {
        const declared = this.reflector.getAllAndOverride<SecurityRequirement | undefined>(SECURED_KEY, [route.handler, route.controller]);
        const decision = declared ? { kind: 'declared' as const, requirement: declared } : decideRoute(route, this.spec, syntax, fold);
        return new RouteEntry(route, decision, this.spec, fold);
      }),
      // A path the router matched that the table does not hold for the handler: fail closed for the whole spec.
      { requirementFor: () => this.unknownRoute },
    );
    for (const row of this.routeTable()) this.logger.verbose(routeLine(row));
  }

  /** The app's HTTP routes and what each requires, as the guard decides it (one row per method and registered path). */
  routeTable(): RouteSecurity[] {
    return this.table.entries.flatMap((entry) => describeRoute(entry, this.spec));
  }

  /** The requirement of the request a context runs, or `undefined` when it needs none. */
  requirementFor(context: ExecutionContext, request?: HttpRequestLike): SecurityRequirement | undefined {
    const type = context.getType<string>();
    if (type === 'http' && request) {
      const route = this.table.lookup(context.getClass(), context.getHandler(), routeTemplateOf(request));
      if (route) return route.requirementFor(request.method ?? 'GET', request['params'] as Record<string, unknown> | undefined);
    }
    const declared = this.reflector.getAllAndOverride<SecurityRequirement | undefined>(SECURED_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (declared) return declared;
    // A handler Nest runs over HTTP that no registered route leads to cannot be placed: fail closed.
    if (type === 'http') return this.unknownRoute;
    if (type === 'rpc') return this.rpcRequirementFor(request);
    // A gateway message: what the spec requires of a GET of its connection's handshake path (docs/websockets.md).
    if (type === 'ws') return this.gateways.requirementFor(request);
    // GraphQL: its endpoint is the driver's route, not a controller's, so it is not in the table (docs/routing.md).
    return this.graphql.requirementFor(request);
  }

  /**
   * What the GraphQL endpoint the request was routed on requires of an operation no resolver answers (introspection):
   * the requirement of its undecorated resolvers, the same memo and log line.
   */
  graphqlEndpointRequirementFor(request: HttpRequestLike | undefined): SecurityRequirement | undefined {
    return this.graphql.requirementFor(request);
  }

  /** What the spec requires of a GET of the WebSocket handshake's routed path: the memo its connection's messages use. */
  gatewayPathRequirementFor(request: HttpRequestLike): SecurityRequirement | undefined {
    return this.gateways.requirementFor(request);
  }

  /**
   * A gRPC method: the service config rule its full name matches; an OpenAPI document's paths are HTTP paths and never
   * match a method, so it gets the API-level `security`, as an unlisted path does.
   */
  private rpcRequirementFor(request: HttpRequestLike | undefined): SecurityRequirement | undefined {
    const method = request && grpcMethodOf(request);
    // An OpenAPI document (no rules, no usage): the API level. A service config asks its rules and usage per method.
    if (this.spec.rules.length === 0 && !this.spec.usage) return this.spec.apiRequirement;
    // A call whose method cannot be named (another RPC transport) gets what a `*` rule requires, so the guard
    // refuses it (UNSUPPORTED_CONTEXT) rather than letting it run unchecked.
    if (method === undefined) return this.spec.apiRequirement;
    // Keyed by method name: grpc-js hands the guard only the methods the app serves, so the map stays that small.
    if (this.byMethod.has(method)) return this.byMethod.get(method);
    const requirement = withApiKey(lastMatchingRule(this.spec.rules, method)?.requirement, needsApiKey(this.spec.usage, method));
    this.byMethod.set(method, requirement);
    return requirement;
  }
}
