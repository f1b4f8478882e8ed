import { type DynamicModule, type MiddlewareConsumer, Module, type NestModule, RequestMethod } from '@nestjs/common';
import { APP_GUARD, DiscoveryModule, DiscoveryService, ModulesContainer } from '@nestjs/core';
import { ENDPOINTS_AUTH_SETTINGS, ENDPOINTS_AUTH_SPEC } from './endpoints-auth.constants.js';
import {
  ConfigurableModuleClass,
  ENDPOINTS_AUTH_OPTIONS,
  type EndpointsAuthModuleAsyncOptions,
  type EndpointsAuthModuleOptions,
} from './endpoints-auth.module-definition.js';
import { EndpointsAuthGuard } from './guards/endpoints-auth.guard.js';
import { EndpointsAuthIntrospection } from './graphql/endpoints-auth-introspection.js';
import { EndpointsAuthSubscriptions } from './graphql/endpoints-auth-subscriptions.js';
import { ENDPOINTS_AUTH_KEY_SETS, createKeySet } from './keys/create-key-set.js';
import { ENDPOINTS_AUTH_KEY_CLOCK, SYSTEM_KEY_CLOCK } from './keys/key-clock.js';
import { EndpointsAuthCounters } from './keys/key-counters.js';
import type { EndpointsAuthOptions } from './interfaces/endpoints-auth-options.interface.js';
import { resolveOptions } from './options/resolve-options.js';
import { RouteRequirements } from './routes/route-requirements.js';
import { resolveSpec } from './api-config/resolve-spec.js';
import { ENDPOINTS_AUTH_TRACER, loadTracer } from './telemetry/load-tracer.js';
import type { ResolvedEndpointsAuthOptions } from './interfaces/endpoints-auth-options.interface.js';
import { RequestAuthenticator } from './strategies/request-authenticator.js';
import { StrategyRegistry } from './strategies/strategy-registry.js';
import { guardRunsFirst } from './user-info/guard-runs-first.util.js';
import { ENDPOINTS_AUTH_GATEWAY_GUARD, guardGateways } from './websockets/gateway-guard.js';
import { stripUserInfoMiddleware } from './user-info/strip-user-info.middleware.js';

/**
 * Verifies callers' JWTs as Google Cloud Endpoints' proxy does, from the `x-google-*` security definitions of an
 * OpenAPI document: `forRoot('openapi.yaml')`, `forRoot({ spec, ...options })` or `forRootAsync(...)`.
 * @publicApi
 */
@Module({
  imports: [DiscoveryModule],
  providers: [
    {
      provide: ENDPOINTS_AUTH_SETTINGS,
      useFactory: (options: EndpointsAuthOptions) => resolveOptions(options),
      inject: [ENDPOINTS_AUTH_OPTIONS],
    },
    { provide: ENDPOINTS_AUTH_SPEC, useFactory: resolveSpec, inject: [ENDPOINTS_AUTH_OPTIONS, ENDPOINTS_AUTH_SETTINGS] },
    { provide: ENDPOINTS_AUTH_KEY_CLOCK, useValue: SYSTEM_KEY_CLOCK },
    { provide: ENDPOINTS_AUTH_KEY_SETS, useValue: createKeySet },
    // Awaited before anything that traces is built, so the first key fetch already has its tracer.
    {
      provide: ENDPOINTS_AUTH_TRACER,
      useFactory: (settings: ResolvedEndpointsAuthOptions) => loadTracer(settings.tracing),
      inject: [ENDPOINTS_AUTH_SETTINGS],
    },
    EndpointsAuthCounters,
    StrategyRegistry,
    RequestAuthenticator,
    RouteRequirements,
    EndpointsAuthGuard,
    EndpointsAuthSubscriptions,
    EndpointsAuthIntrospection,
  ],
  // Everything the guard needs is exported: `@UseGuards(EndpointsAuthGuard)` instantiates it in the user's module.
  exports: [
    EndpointsAuthGuard,
    EndpointsAuthSubscriptions,
    EndpointsAuthIntrospection,
    RouteRequirements,
    RequestAuthenticator,
    StrategyRegistry,
    EndpointsAuthCounters,
    ENDPOINTS_AUTH_SPEC,
    ENDPOINTS_AUTH_SETTINGS,
  ],
})
export class EndpointsAuthModule extends ConfigurableModuleClass implements NestModule {
  constructor(private readonly modules: ModulesContainer) {
    super();
  }

  /**
   * A client-sent `X-Endpoint-API-UserInfo` must be gone before the app's own guards read it. When the library's guard
   * runs first (it is the only `APP_GUARD`), the guard removes it; otherwise a middleware does, on every HTTP route.
   * The middleware is not always used because it costs about 10 µs a request (measured with `npm run bench`).
   */
  configure(consumer: MiddlewareConsumer): void {
    if (guardRunsFirst(this.modules)) return;
    consumer.apply(stripUserInfoMiddleware).forRoutes({ path: '{*splat}', method: RequestMethod.ALL });
  }

  /** Configures the module from a spec path or from options (the spec plus settings). */
  static override forRoot(options: string | EndpointsAuthModuleOptions): DynamicModule {
    const resolved = typeof options === 'string' ? { spec: options } : options;
    return withGlobalGuard(super.forRoot(resolved), resolved.globalGuard);
  }

  /** Configures the module from options built by a factory, a class or an existing provider. */
  static override forRootAsync(options: EndpointsAuthModuleAsyncOptions): DynamicModule {
    return withGlobalGuard(super.forRootAsync(options), options.globalGuard);
  }
}

/**
 * `useExisting` keeps one guard instance, so `overrideProvider(EndpointsAuthGuard)` replaces the global one too. The
 * same instance guards the gateways' messages, which Nest 11 runs without any `APP_GUARD` (gateway-guard.ts).
 */
function withGlobalGuard(module: DynamicModule, globalGuard = true): DynamicModule {
  if (!globalGuard) return module;
  const providers = [
    { provide: APP_GUARD, useExisting: EndpointsAuthGuard },
    { provide: ENDPOINTS_AUTH_GATEWAY_GUARD, useFactory: guardGateways, inject: [DiscoveryService, EndpointsAuthGuard] },
  ];
  return { ...module, providers: [...(module.providers ?? []), ...providers] };
}
