import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { EndpointsAuthOptions } from './interfaces/endpoints-auth-options.interface.js';

/** Extras of `forRoot` / `forRootAsync` beside the options themselves. */
export interface EndpointsAuthExtras {
  /** Make the module's exports available everywhere [true]. */
  isGlobal?: boolean;
  /** Register `EndpointsAuthGuard` as a global guard (`APP_GUARD`) [true]. */
  globalGuard?: boolean;
}

/**
 * `ConfigurableModuleClass` is the base of `EndpointsAuthModule`; `ENDPOINTS_AUTH_OPTIONS` injects the options given to
 * `forRoot` / `forRootAsync`; `OPTIONS_TYPE` and `ASYNC_OPTIONS_TYPE` are their types.
 * @publicApi
 */
export const {
  ConfigurableModuleClass,
  MODULE_OPTIONS_TOKEN: ENDPOINTS_AUTH_OPTIONS,
  OPTIONS_TYPE,
  ASYNC_OPTIONS_TYPE,
} = new ConfigurableModuleBuilder<EndpointsAuthOptions>({ moduleName: 'EndpointsAuth' })
  .setClassMethodName('forRoot')
  .setFactoryMethodName('createEndpointsAuthOptions')
  .setExtras<EndpointsAuthExtras>({ isGlobal: true, globalGuard: true }, (definition, extras) => ({
    ...definition,
    global: extras.isGlobal,
  }))
  .build();

/** Options of `EndpointsAuthModule.forRoot()`, extras included. @publicApi */
export type EndpointsAuthModuleOptions = typeof OPTIONS_TYPE;
/** Options of `EndpointsAuthModule.forRootAsync()`. @publicApi */
export type EndpointsAuthModuleAsyncOptions = typeof ASYNC_OPTIONS_TYPE;
