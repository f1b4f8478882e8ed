import { type ExecutionContext, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ENDPOINTS_AUTH_SPEC, SECURED_KEY } from '../endpoints-auth.constants.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { ResolvedSpec } from '../spec/resolved-spec.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { grpcMethodOf } from '../grpc/grpc-request.util.js';
import { matchConfigRule } from './match-config-rule.js';
import { matchSpecPath } from './match-spec-path.js';
import { dropSegments, routePrefixSegments } from './route-prefix.js';
import { requestPathOf, routeTemplateOf } from './route-template.util.js';
import { validateSecuredNames } from './validate-secured-names.js';

/**
 * Decides what each request requires: handler ▸ controller ▸ the spec path the URL matches (as ESP matches it), or
 * for a gRPC call the service config rule its method matches ▸ the spec's API-level `security` ▸ nothing.
 * Exported for guards that extend `EndpointsAuthGuard` and call its constructor.
 * @publicApi
 */
@Injectable()
export class RouteRequirements implements OnModuleInit {
  /** Prefix lengths by handler and route template; bounded by the app's routes, never by client input. */
  private readonly prefixes = new WeakMap<Function, Map<string, number>>();
  /** What each gRPC method requires under the service config's rules. */
  private readonly byMethod = new Map<string, SecurityRequirement | undefined>();

  constructor(
    @Inject(ENDPOINTS_AUTH_SPEC) private readonly spec: ResolvedSpec,
    private readonly reflector: Reflector,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    validateSecuredNames(this.spec, this.discovery, this.scanner, this.reflector);
  }

  /** The requirement of the request a context runs, or `undefined` when it needs none. */
  requirementFor(context: ExecutionContext, request?: HttpRequestLike): SecurityRequirement | undefined {
    const declared = this.reflector.getAllAndOverride<SecurityRequirement | undefined>(SECURED_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (declared) return declared;
    if (context.getType() === 'rpc') return this.rpcRequirementFor(request);
    if (!request || this.spec.paths.length === 0) return this.spec.apiRequirement;
    const path = requestPathOf(request);
    const prefix = this.prefixOf(context, request);
    const candidates = prefix > 0 ? [path, dropSegments(path, prefix)] : [path];
    return matchSpecPath(this.spec, (request.method ?? 'GET').toUpperCase(), candidates);
  }

  /**
   * A gRPC method: the service config rule its full name matches; an OpenAPI document's paths are HTTP paths and never
   * match a method, so it gets the API-level `security`, as an unlisted path does.
   */
  private rpcRequirementFor(request: HttpRequestLike | undefined): SecurityRequirement | undefined {
    const method = request && grpcMethodOf(request);
    if (this.spec.rules.length === 0) return this.spec.apiRequirement;
    // A call whose method cannot be named (another RPC transport) gets what a `*` rule requires, so the guard
    // refuses it (UNSUPPORTED_CONTEXT) rather than letting it run unchecked.
    if (method === undefined) return matchConfigRule(this.spec.rules, '');
    // Keyed by method name: grpc-js hands the guard only the methods the app serves, so the map stays that small.
    if (this.byMethod.has(method)) return this.byMethod.get(method);
    const requirement = matchConfigRule(this.spec.rules, method);
    this.byMethod.set(method, requirement);
    return requirement;
  }

  private prefixOf(context: ExecutionContext, request: HttpRequestLike): number {
    const template = routeTemplateOf(request);
    if (template === undefined) return 0;
    const handler = context.getHandler();
    let byTemplate = this.prefixes.get(handler);
    if (!byTemplate) this.prefixes.set(handler, (byTemplate = new Map()));
    let count = byTemplate.get(template);
    if (count === undefined) byTemplate.set(template, (count = routePrefixSegments(context, template)));
    return count;
  }
}
