import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { RouteEntry } from './route-entry.js';
import { unionOf } from './spec-operation.js';

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

  constructor(readonly entries: readonly RouteEntry[]) {
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
    return this.handlers.get(controller)?.get(handler)?.lookup(template);
  }
}

/** The routes of one handler: usually one; several for multi-path controllers, handler path lists and versions. */
class HandlerRoutes implements RouteLookup {
  private readonly byPath = new Map<string, RouteEntry>();
  private readonly all: RouteEntry[] = [];

  add(path: string, entry: RouteEntry): void {
    if (this.byPath.has(path)) return;
    this.byPath.set(path, entry);
    this.all.push(entry);
  }

  lookup(template: string | undefined): RouteLookup {
    const entry = template === undefined ? undefined : this.byPath.get(template);
    if (entry) return entry;
    // No template (an adapter that does not report it) or one Nest did not register for this handler: a single
    // route is still that route; among several, the request must satisfy what any of them requires.
    return this.all.length === 1 && template === undefined ? this.all[0] : this;
  }

  /** The fail-closed answer: what any of the handler's routes may require for `method`. */
  requirementFor(method: string): SecurityRequirement | undefined {
    return unionOf(this.all.flatMap((entry) => entry.possible()));
  }
}
