import { Logger } from '@nestjs/common';
import passport from 'passport';

const logger = new Logger('EndpointsAuthPassport');
/** The strategy each live module instance registered under each name on the process-wide `passport`. */
const holders = new Map<string, Map<object, passport.Strategy>>();

/** Stands in for a name two live apps registered: neither app's keys may serve the other's requests. */
class AmbiguousStrategy extends passport.Strategy {
  constructor(readonly name: string) {
    super();
  }
  authenticate(this: AmbiguousStrategy & { fail(status: number): void }): void {
    // A 401 like any refused token; why is in the warning logged when the second app registered the name.
    this.fail(401);
  }
}

/** Passport's registry of named strategies (its `_strategy()` lookup is not in the public types). */
const lookup = (name: string): unknown => (passport as unknown as { _strategy(name: string): unknown })._strategy(name);

/**
 * Registers `strategy` under `name` on `passport` for users who call `AuthGuard(name)` themselves. While another
 * live app holds the same name, the name refuses every request instead of serving one app with another's keys; a
 * strategy the user registered under that name is left alone.
 */
export function registerPassportName(owner: object, name: string, strategy: passport.Strategy): void {
  const byOwner = holders.get(name) ?? new Map<object, passport.Strategy>();
  if (byOwner.size === 0 && lookup(name) !== undefined) {
    logger.warn(`passport already has a strategy named "${name}"; AuthGuard("${name}") keeps using it, not this definition`);
    return;
  }
  byOwner.set(owner, strategy);
  holders.set(name, byOwner);
  publish(name, byOwner);
}

/** Removes `owner`'s strategy when its app closes; a name left with one owner serves that owner again. */
export function unregisterPassportName(owner: object, name: string): void {
  const byOwner = holders.get(name);
  if (!byOwner?.delete(owner)) return;
  if (byOwner.size > 0) return publish(name, byOwner);
  holders.delete(name);
  passport.unuse(name);
}

function publish(name: string, byOwner: Map<object, passport.Strategy>): void {
  if (byOwner.size === 1) {
    passport.use(name, [...byOwner.values()][0]);
    return;
  }
  logger.warn(`"${name}" is registered by ${byOwner.size} apps in this process; AuthGuard("${name}") refuses requests meanwhile`);
  passport.use(name, new AmbiguousStrategy(name));
}
