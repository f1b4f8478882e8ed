import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { RouteEntry } from './route-entry.js';

/** What answers for a request once its route is found: one entry, or the fail-closed union of a handler's entries. */
export interface RouteLookup {
  requirementFor(method: string, params: Readonly<Record<string, unknown>> | undefined): SecurityRequirement | undefined;
}

/**
 * The app's HTTP routes by the controller and handler Nest chose and the path the router matched; built once at
 * start-up, looked up in O(1) per request whatever the size of the spec or of the app.
 */
export class RouteTable {
  private readonly handlers = new Map<Function, Map<Function, HandlerRoutes>>();

  /**
   * @param fallback what a request needs when the router matched a path the table does not hold for its handler (the
   *   table and Nest disagree): the fail-closed answer for the whole spec, never the handler's own candidates.
   */
  constructor(
    readonly entries: readonly RouteEntry[],
    private readonly fallback: RouteLookup = { requirementFor: () => undefined },
  ) {
    for (const entry of entries) {
      const { controller, handler, path } = entry.route;
      let byHandler = this.handlers.get(controller);
      if (!byHandler) this.handlers.set(controller, (byHandler = new Map()));
      let routes = byHandler.get(handler);
      if (!routes) byHandler.set(handler, (routes = new HandlerRoutes()));
      routes.add(path, entry);
    }
  }

  /**
   * The entry of the route the router matched (`template`: its path as registered); `undefined` when Nest ran a
   * handler the table does not know (the caller fails closed).
   */
  lookup(controller: Function, handler: Function, template: string | undefined): RouteLookup | undefined {
    const routes = this.handlers.get(controller)?.get(handler);
    if (!routes) return undefined;
    return routes.lookup(template) ?? this.fallback;
  }
}

/** The routes of one handler: usually one; several for multi-path controllers, handler path lists and versions. */
class HandlerRoutes {
  private readonly byPath = new Map<string, RouteEntry>();
  private readonly all: RouteEntry[] = [];

  add(path: string, entry: RouteEntry): void {
    if (this.byPath.has(path)) return;
    this.byPath.set(path, entry);
    this.all.push(entry);
  }

  /**
   * The entry of the matched path; without one (an adapter that reports no path: a single route is still that
   * route), `undefined`: the table and Nest disagree about this handler's paths.
   */
  lookup(template: string | undefined): RouteEntry | undefined {
    if (template === undefined) return this.all.length === 1 ? this.all[0] : undefined;
    return this.byPath.get(template);
  }
}
