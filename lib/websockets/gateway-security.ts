import type { DiscoveryService, Reflector } from '@nestjs/core';
import { SECURED_KEY } from '../endpoints-auth.constants.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';

/** @nestjs/websockets' metadata keys, read here without importing it (an optional peer). */
const GATEWAY_METADATA = 'websockets:is_gateway';
const GATEWAY_OPTIONS = 'websockets:gateway_options';
const PORT_METADATA = 'port';

/** Where a connection arrived: the gateway port it was served on, its path, and its socket.io namespace. */
export interface HandshakeTarget {
  port: number;
  path: string;
  /** socket.io only: the namespace's name (`/` by default). */
  namespace?: string;
  /**
   * socket.io only: the `namespace` option of the server or namespace that let the socket in. A dynamic one (a
   * RegExp or a function) names its gateways exactly; socket.io serves a static namespace before any dynamic one.
   */
  namespaceOption?: unknown;
}

/** A gateway class: where it listens and what its class-level `@Secured` / `@Public` declares. */
interface GatewayEntry {
  port: number;
  path: string | undefined;
  namespace: unknown;
  declared: SecurityRequirement | undefined;
}

/** `/chat/` and `chat` as Nest registers them: one leading slash, no trailing one. */
export function normalizeGatewayPath(path: string): string {
  const trimmed = `/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1');
  return trimmed;
}

/**
 * The class-level decorators of the app's gateways, found once at start-up, so the adapters know what a connection
 * requires before any of its messages: Nest hands them no gateway class.
 */
export class GatewaySecurity {
  private readonly gateways: GatewayEntry[] = [];

  constructor(discovery: DiscoveryService, reflector: Reflector) {
    for (const { metatype } of discovery.getProviders()) {
      if (typeof metatype !== 'function' || !Reflect.getMetadata(GATEWAY_METADATA, metatype)) continue;
      const options = (Reflect.getMetadata(GATEWAY_OPTIONS, metatype) ?? {}) as { path?: unknown; namespace?: unknown };
      this.gateways.push({
        port: Number(Reflect.getMetadata(PORT_METADATA, metatype) ?? 0),
        path: typeof options.path === 'string' ? normalizeGatewayPath(options.path) : undefined,
        namespace: options.namespace,
        declared: reflector.get<SecurityRequirement | undefined>(SECURED_KEY, metatype),
      });
    }
  }

  /** What each gateway a connection reaches declares on its class: `undefined` in the list for one that declares nothing. */
  declaredFor(target: HandshakeTarget, defaultPath: string | undefined): (SecurityRequirement | undefined)[] {
    return this.gateways
      .filter((gateway) => gateway.port === target.port)
      .filter((gateway) => (gateway.path ?? defaultPath) === target.path)
      .filter((gateway) => target.namespace === undefined || namespaceMatches(gateway.namespace, target.namespace, target.namespaceOption))
      .map((gateway) => gateway.declared);
  }
}

/**
 * Whether a gateway's `namespace` option serves the namespace `name`, reached through the server or namespace created
 * for `option`: a dynamic namespace (RegExp, function) serves only the sockets of its own children, which socket.io
 * creates for names no static namespace has.
 */
function namespaceMatches(namespace: unknown, name: string, option: unknown): boolean {
  if (option instanceof RegExp || typeof option === 'function') return namespace === option;
  if (namespace === undefined || namespace === '') return name === '/';
  if (typeof namespace === 'string') return normalizeGatewayPath(namespace) === name;
  return false;
}
