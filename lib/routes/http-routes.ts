import { RequestMethod, type VersioningOptions } from '@nestjs/common';
import { MODULE_PATH, PATH_METADATA, VERSION_METADATA } from '@nestjs/common/constants.js';
import { type ApplicationConfig, MetadataScanner, type ModulesContainer } from '@nestjs/core';
import { PathsExplorer } from '@nestjs/core/router/paths-explorer.js';
import type { RoutePathMetadata } from '@nestjs/core/router/interfaces/route-path-metadata.interface.js';
import { RoutePathFactory } from '@nestjs/core/router/route-path-factory.js';

type VersionValue = RoutePathMetadata['methodVersion'];

/**
 * The HTTP routes Nest registers for an app's controllers, with the paths the router is given, computed from Nest's
 * own metadata by Nest's own path factory (global prefix and its exclusions, URI versions, `RouterModule` paths,
 * every controller path and every handler path).
 */
export interface HttpRoute {
  /** The controller class (what `context.getClass()` returns). */
  controller: Function;
  /** The handler function (what `context.getHandler()` returns). */
  handler: Function;
  /** `Controller.method`, for messages. */
  name: string;
  /** The HTTP method in upper case, or `ALL`. */
  method: string;
  /** The path as registered with the router (what Express reports as `req.route.path`, Fastify as `routeOptions.url`). */
  path: string;
  /**
   * The paths a spec may describe the route by, in the order they are tried: as registered, without the global
   * prefix, without the URI version, without either.
   */
  alignments: string[];
}

/** What the routes are computed with: Nest's containers and the HTTP adapter's path normalisation. */
export interface HttpRoutesContext {
  modules: ModulesContainer;
  config: ApplicationConfig;
  normalizePath?: (path: string) => string;
}

/** Every route of every controller the app's modules hold, as Nest's `RoutesResolver` registers them. */
export function httpRoutesOf({ modules, config, normalizePath }: HttpRoutesContext): HttpRoute[] {
  const factory = new RoutePathFactory(config);
  const explorer = new PathsExplorer(new MetadataScanner());
  const versioning = config.getVersioning();
  const globalPrefix = leadingSlash(config.getGlobalPrefix());
  const routes: HttpRoute[] = [];
  for (const module of modules.values()) {
    const modulePath = (Reflect.getMetadata(MODULE_PATH + modules.applicationId, module.metatype) ??
      Reflect.getMetadata(MODULE_PATH, module.metatype)) as string | undefined;
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype;
      if (typeof controller !== 'function' || !controller.prototype) continue;
      const controllerPaths = Reflect.getMetadata(PATH_METADATA, controller) as string | string[] | undefined;
      if (controllerPaths === undefined) continue;
      const controllerVersion: VersionValue | undefined = versioning
        ? (Reflect.getMetadata(VERSION_METADATA, controller) ?? versioning.defaultVersion)
        : undefined;
      const prototype = controller.prototype as object;
      for (const definition of explorer.scanForPaths(prototype as never, prototype)) {
        const method = RequestMethod[definition.requestMethod] ?? 'ALL';
        // As Nest's RoutePathFactory chooses: the handler's version unless it is empty, then the controller's.
        const versions = versionsOf(definition.version || controllerVersion);
        for (const ctrlPath of [controllerPaths].flat().map(leadingSlash)) {
          for (const methodPath of definition.path) {
            for (const version of versions) {
              const metadata: RoutePathMetadata = {
                ctrlPath,
                modulePath,
                globalPrefix,
                versioningOptions: versioning,
                methodVersion: version as VersionValue,
                methodPath,
              };
              const create = (overrides: { globalPrefix?: string; versioningOptions?: VersioningOptions }) =>
                factory.create({ ...metadata, ...overrides }, definition.requestMethod)[0];
              const alignments = normalized(
                [create({}), create({ globalPrefix: '' }), create({ versioningOptions: undefined }), create({ globalPrefix: '', versioningOptions: undefined })],
                normalizePath,
              );
              routes.push({
                controller,
                handler: definition.targetCallback,
                name: `${controller.name}.${definition.methodName}`,
                method,
                path: alignments[0],
                alignments: [...new Set(alignments)],
              });
            }
          }
        }
      }
    }
  }
  return routes;
}

/**
 * The four paths as the router is given them. Express's adapter rewrites legacy wildcards (`*` to `{*path}`), and
 * says so in a warning each time: it is asked once, for the registered path, and the others are cut from its answer
 * (they differ from it only by the leading prefix and version).
 */
function normalized(paths: string[], normalizePath: ((path: string) => string) | undefined): string[] {
  const [full] = paths;
  if (!normalizePath || !/[*(+]/.test(full)) return paths;
  const tail = (path: string) => (path === '/' ? '' : path);
  const [, noPrefix, noVersion, own] = paths.map(tail);
  const prefix = full.slice(0, full.length - noPrefix.length);
  const version = noPrefix.slice(0, noPrefix.length - own.length);
  const registered = normalizePath(full);
  if (tail(full) !== prefix + version + own || noVersion !== prefix + own || !registered.startsWith(prefix + version)) {
    return paths.map((path) => (/[*(+]/.test(path) ? normalizePath(path) : path));
  }
  const rest = registered.slice(prefix.length + version.length);
  return [registered, version + rest, prefix + rest, rest].map((path) => path || '/');
}

/** One route per version, as `RoutePathFactory` creates them (`[VERSION_NEUTRAL, '1']` is two paths). */
function versionsOf(version: VersionValue): VersionValue[] {
  if (version === undefined) return [undefined];
  return Array.isArray(version) ? (version as VersionValue[]) : [version];
}

function leadingSlash(path: string): string {
  return path && !path.startsWith('/') && !path.startsWith('{/') ? `/${path}` : path;
}


