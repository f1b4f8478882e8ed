import { type ExecutionContext, Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ENDPOINTS_AUTH_SPEC, SECURED_KEY } from '../endpoints-auth.constants.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { canonicalNestPath } from '../spec/path-template.util.js';
import type { ResolvedSpec } from '../spec/resolved-spec.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { requestPathOf, routeTemplateOf } from './route-template.util.js';
import { validateSecuredNames } from './validate-secured-names.js';

/**
 * Decides what each route requires: handler ▸ controller ▸ the spec operation with the same method and path
 * template ▸ the spec's API-level `security` ▸ nothing.
 */
@Injectable()
export class RouteRequirements implements OnModuleInit {
  /** Spec lookups by method and route template; bounded by the app's routes, never by client input. */
  private readonly byRoute = new Map<string, SecurityRequirement | undefined>();

  constructor(
    @Inject(ENDPOINTS_AUTH_SPEC) private readonly spec: ResolvedSpec,
    private readonly reflector: Reflector,
    private readonly discovery: DiscoveryService,
    private readonly scanner: MetadataScanner,
  ) {}

  onModuleInit(): void {
    validateSecuredNames(this.spec, this.discovery, this.scanner, this.reflector);
  }

  /** The requirement of the route a context runs, or `undefined` when it needs none. */
  requirementFor(context: ExecutionContext, request?: HttpRequestLike): SecurityRequirement | undefined {
    const declared = this.reflector.getAllAndOverride<SecurityRequirement | undefined>(SECURED_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (declared) return declared;
    return (request && this.operationRequirement(request)) ?? this.spec.apiRequirement;
  }

  private operationRequirement(request: HttpRequestLike): SecurityRequirement | undefined {
    const method = request.method?.toUpperCase();
    if (!method || this.spec.operations.length === 0) return undefined;
    const template = routeTemplateOf(request);
    if (template === undefined) {
      const path = requestPathOf(request);
      return this.spec.operations.find((op) => op.method === method && op.patterns.some((p) => p.test(path)))
        ?.requirement;
    }
    const key = `${method} ${template}`;
    if (!this.byRoute.has(key)) {
      const canonical = canonicalNestPath(template);
      const operation = this.spec.operations.find((op) => op.method === method && op.canonicalPaths.includes(canonical));
      this.byRoute.set(key, operation?.requirement);
    }
    return this.byRoute.get(key);
  }
}
