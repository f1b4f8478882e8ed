import { APP_GUARD, type ModulesContainer } from '@nestjs/core';
import { EndpointsAuthGuard } from '../guards/endpoints-auth.guard.js';

/**
 * Whether the library's guard is the app's one global guard registered as a provider (`APP_GUARD`): it then runs
 * before every other guard, interceptor, pipe and handler (guards passed to `app.useGlobalGuards()` come after the
 * `APP_GUARD` ones), so the guard alone can strip a client-sent `X-Endpoint-API-UserInfo` before anything reads it.
 * A request-scoped or any other `APP_GUARD` of the app may run first: then the answer is no.
 */
export function guardRunsFirst(modules: ModulesContainer): boolean {
  let ours = false;
  for (const module of modules.values()) {
    for (const registry of [module.providers, module.injectables]) {
      for (const [token, wrapper] of registry) {
        if (typeof token !== 'string' || !token.startsWith(`${APP_GUARD} (UUID`)) continue;
        if (wrapper.instance instanceof EndpointsAuthGuard) ours = true;
        else return false;
      }
    }
  }
  return ours;
}
