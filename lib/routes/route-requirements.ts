import { type ExecutionContext, Inject, Injectable, type OnModuleInit, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryService, MetadataScanner, Reflector } from '@nestjs/core';
import { ENDPOINTS_AUTH_SPEC, SECURED_KEY } from '../endpoints-auth.constants.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { canonicalNestPath } from '../spec/path-template.util.js';
import type { ResolvedSpec, SpecOperation } from '../spec/resolved-spec.js';
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
    if (!request || this.spec.operations.length === 0) return this.spec.apiRequirement;
    return this.operationRequirement(request, handlerMethodOf(context, request)) ?? this.spec.apiRequirement;
  }

  private operationRequirement(request: HttpRequestLike, method: string): SecurityRequirement | undefined {
    const template = routeTemplateOf(request);
    if (template === undefined) return matchPath(this.spec.operations, method, requestPathOf(request))?.requirement;
    const key = `${method} ${template}`;
    if (!this.byRoute.has(key)) {
      const canonical = canonicalNestPath(template);
      // The same template first; then, as ESP matches URLs, a literal Nest route under a spec template
      // (`@Get('featured')` is a `/shelves/{shelf}` request to ESP).
      const operation =
        this.spec.operations.find((op) => op.method === method && op.canonicalPaths.includes(canonical)) ??
        (/[{*]/.test(canonical) ? undefined : matchPath(this.spec.operations, method, canonical));
      this.byRoute.set(key, operation?.requirement);
    }
    return this.byRoute.get(key);
  }
}

/**
 * The method the handler was declared for: Express and Fastify answer HEAD with the GET handler, and that HEAD must
 * meet the GET operation's requirement. `@All()` handlers take the request's method.
 */
function handlerMethodOf(context: ExecutionContext, request: HttpRequestLike): string {
  const declared = Reflect.getMetadata(METHOD_METADATA, context.getHandler()) as RequestMethod | undefined;
  if (declared === undefined || declared === RequestMethod.ALL) return (request.method ?? 'GET').toUpperCase();
  return RequestMethod[declared];
}

/** The operation whose path pattern matches `path`; ESP prefers literal segments, so fewer variables win. */
function matchPath(operations: readonly SpecOperation[], method: string, path: string): SpecOperation | undefined {
  const variables = (op: SpecOperation) => (op.path.match(/\{/g) ?? []).length;
  return operations
    .filter((op) => op.method === method && op.patterns.some((pattern) => pattern.test(path)))
    .sort((a, b) => variables(a) - variables(b))[0];
}
