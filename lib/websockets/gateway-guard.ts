import type { CanActivate, ExecutionContext } from '@nestjs/common';
import type { DiscoveryService } from '@nestjs/core';
import { SECURED_KEY } from '../endpoints-auth.constants.js';
import { AuthError } from '../errors/auth-error.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { toWsException } from './to-ws-exception.util.js';
import { connectionOfClient } from './ws-connections.js';

/** @nestjs/websockets' and @nestjs/common's metadata keys, read here without importing them (`@UseGuards` writes this one). */
const GATEWAY_METADATA = 'websockets:is_gateway';
const GUARDS_METADATA = '__guards__';

/** The app's guard, as the module registers it for gateways: the `APP_GUARD` instance. */
export const ENDPOINTS_AUTH_GATEWAY_GUARD = Symbol('ENDPOINTS_AUTH_GATEWAY_GUARD');

/** The gateway messages the app's guard has judged: Nest 12 runs it, as a global guard, before any class guard. */
const JUDGED = new WeakSet<ExecutionContext>();

/** Records that the app's guard is judging this gateway message, so `GATEWAY_GUARD` does not judge it again. */
export function markGatewayMessageJudged(context: ExecutionContext): void {
  if (context.getType() === 'ws') JUDGED.add(context);
}

/**
 * The class guard every gateway carries: Nest 11's @nestjs/websockets builds its guards without the application
 * config (socket-module.js, `new GuardsContextCreator(container)`), so an `APP_GUARD` never runs on a gateway message
 * there. It runs the guard of the app whose adapter opened the connection, unless that guard already ran (Nest 12).
 * One stateless object for every app and class: a class shared by several apps (tests) keeps no app alive.
 */
const GATEWAY_GUARD: CanActivate = {
  canActivate(context: ExecutionContext): ReturnType<CanActivate['canActivate']> {
    if (context.getType() !== 'ws' || JUDGED.has(context)) return true;
    const client = context.switchToWs().getClient<unknown>();
    const connection = typeof client === 'object' && client !== null ? connectionOfClient(client) : undefined;
    // An app without the global guard (`globalGuard: false`) guards its gateways itself.
    if (connection) return connection.guard ? connection.guard.canActivate(context) : true;
    // Not opened by this library's adapters: the app is unknown, so only a handler declared public runs (fail closed).
    const declared = declaredRequirement(context);
    if (declared && declared.providers.length === 0 && !declared.apiKey) return true;
    return toWsException(new AuthError('UNSUPPORTED_CONTEXT', 'Jwt cannot be read from a "ws" context')).then((error) => {
      throw error;
    });
  },
};

/** The handler's `@Secured` / `@Public`, else its class's (what `Reflector.getAllAndOverride` answers). */
function declaredRequirement(context: ExecutionContext): SecurityRequirement | undefined {
  const read = (target: object) => Reflect.getMetadata(SECURED_KEY, target) as SecurityRequirement | undefined;
  return read(context.getHandler()) ?? read(context.getClass());
}

/**
 * Puts `GATEWAY_GUARD` first among the class guards of every gateway of the app, before Nest reads them (the
 * factory runs while the app is created, before `init()` connects the gateways); returns the app's guard.
 */
export function guardGateways(discovery: DiscoveryService, guard: CanActivate): CanActivate {
  for (const { metatype } of discovery.getProviders()) {
    if (typeof metatype !== 'function' || !Reflect.getMetadata(GATEWAY_METADATA, metatype)) continue;
    const guards = (Reflect.getMetadata(GUARDS_METADATA, metatype) ?? []) as unknown[];
    if (!guards.includes(GATEWAY_GUARD)) Reflect.defineMetadata(GUARDS_METADATA, [GATEWAY_GUARD, ...guards], metatype);
  }
  return guard;
}
