import type passport from 'passport';

/** How a strategy run ended: `user` on success, otherwise the failure's `info` or a fault's `error`. */
export interface StrategyOutcome {
  user?: unknown;
  info?: unknown;
  error?: unknown;
}

/** One run's state, on the object Passport's actions are called on. */
interface Run {
  settled?: StrategyOutcome;
  resolveLater?: (outcome: StrategyOutcome) => void;
}

/** Only the first answer counts. */
function settle(run: Run, outcome: StrategyOutcome): void {
  if (run.settled) return;
  run.settled = outcome;
  run.resolveLater?.(outcome);
}

/**
 * Passport's actions as methods, on a prototype made once per strategy (derived from it): a run is then one object
 * with no closure of its own.
 */
const ACTIONS: ThisType<Run> & Record<'success' | 'fail' | 'error' | 'pass' | 'redirect', (value?: unknown) => void> = {
  success(user) {
    settle(this, { user });
  },
  fail(info) {
    settle(this, { info: typeof info === 'number' ? undefined : info });
  },
  error(error) {
    settle(this, { error });
  },
  // A stateless JWT strategy never passes or redirects; either would be a strategy that is not ours.
  pass() {
    settle(this, { info: undefined });
  },
  redirect() {
    settle(this, { info: undefined });
  },
};
const prototypes = new WeakMap<passport.Strategy, object>();

/**
 * Runs a Passport strategy on a request through the strategy API Passport defines (an object derived from the
 * strategy, given `success`, `fail`, `error`, `pass` and `redirect`), as `passport.authenticate` does, minus its
 * middleware: that writes `login`, `logout`, `isAuthenticated` and `_sessionManager` onto every request, which a
 * stateless API never uses and which cost more per request than the rest of a cache hit. The outcome comes back
 * at once when the strategy answers synchronously (keys at hand), else as a promise; only the first answer counts.
 */
export function runStrategy(strategy: passport.Strategy, request: object, options: object): StrategyOutcome | Promise<StrategyOutcome> {
  let prototype = prototypes.get(strategy);
  if (!prototype) prototypes.set(strategy, (prototype = Object.assign(Object.create(strategy) as object, ACTIONS)));
  const run = Object.create(prototype) as passport.Strategy & passport.StrategyCreatedStatic & Run;
  try {
    run.authenticate(request as never, options);
  } catch (error) {
    settle(run, { error });
  }
  return run.settled ?? new Promise((resolve) => (run.resolveLater = resolve));
}
