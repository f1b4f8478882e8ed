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
 * stateless API never uses and which cost more per request than the rest of a cache hit.
 */
export function runStrategy(strategy: passport.Strategy, request: object, options: object): Promise<StrategyOutcome> {
  return new Promise((resolve) => {
    const run = Object.create(strategy) as passport.Strategy & passport.StrategyCreatedStatic;
    run.success = (user: unknown) => resolve({ user });
    run.fail = (info?: unknown) => resolve({ info: typeof info === 'number' ? undefined : info });
    run.error = (error: unknown) => resolve({ error });
    // A stateless JWT strategy never passes or redirects; either would be a strategy that is not ours.
    run.pass = () => resolve({ info: undefined });
    run.redirect = () => resolve({ info: undefined });
    try {
      run.authenticate(request as never, options);
    } catch (error) {
      resolve({ error });
    }
  });
}
