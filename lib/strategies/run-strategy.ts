import type passport from 'passport';

/** How a strategy run ended: `user` on success, otherwise the failure's `info` or a fault's `error`. */
export interface StrategyOutcome {
  user?: unknown;
  info?: unknown;
  error?: unknown;
}

/**
 * Runs a Passport strategy on a request through the strategy API Passport defines (an object derived from the
 * strategy, given `success`, `fail`, `error`, `pass` and `redirect`), as `passport.authenticate` does, minus its
 * middleware: that writes `login`, `logout`, `isAuthenticated` and `_sessionManager` onto every request, which a
 * stateless API never uses and which cost more per request than the rest of a cache hit. The outcome comes back
 * at once when the strategy answers synchronously (keys at hand), else as a promise; only the first answer counts.
 */
export function runStrategy(strategy: passport.Strategy, request: object, options: object): StrategyOutcome | Promise<StrategyOutcome> {
  let settled: StrategyOutcome | undefined;
  let resolveLater: ((outcome: StrategyOutcome) => void) | undefined;
  const settle = (outcome: StrategyOutcome) => {
    if (settled) return;
    settled = outcome;
    resolveLater?.(outcome);
  };
  const run = Object.create(strategy) as passport.Strategy & passport.StrategyCreatedStatic;
  run.success = (user: unknown) => settle({ user });
  run.fail = (info?: unknown) => settle({ info: typeof info === 'number' ? undefined : info });
  run.error = (error: unknown) => settle({ error });
  // A stateless JWT strategy never passes or redirects; either would be a strategy that is not ours.
  run.pass = () => settle({ info: undefined });
  run.redirect = () => settle({ info: undefined });
  try {
    run.authenticate(request as never, options);
  } catch (error) {
    settle({ error });
  }
  return settled ?? new Promise((resolve) => (resolveLater = resolve));
}
