import { ConsoleLogger, Logger, type LoggerService } from '@nestjs/common';
import { explainRejection } from '../errors/explain-rejection.js';
import type { AuthError } from '../errors/auth-error.js';
import type { ResolvedEndpointsAuthOptions } from '../interfaces/endpoints-auth-options.interface.js';
import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { StrategyRegistry } from '../strategies/strategy-registry.js';
import { extractTokens } from '../token/extract-tokens.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { issuerMatches } from '../token/issuer.util.js';
import { parseJwt } from '../token/parse-jwt.js';
import type { ParsedJwt } from '../token/parsed-jwt.interface.js';

const logger = new Logger('EndpointsAuth');

/**
 * Says at `debug` level why a request was refused: what it called (`what`: the handler Nest chose, or a WebSocket
 * handshake), the definitions checked, the errorCode and the reason in the CLI's plain words. Never the token, its
 * signature or the request's text; nothing is computed unless debug logging is on.
 */
export function logRefusal(
  what: () => string,
  request: HttpRequestLike,
  requirement: SecurityRequirement,
  error: AuthError,
  registry: StrategyRegistry,
  settings: ResolvedEndpointsAuthOptions,
): void {
  if (!debugEnabled()) return;
  const candidates = requirement.providers.map((name) => registry.get(name).provider);
  const jwt = readableToken(request, candidates, settings.maxTokenBytes);
  const checked = jwt ? candidates.filter((candidate) => issuerMatches(jwt.payload.iss, candidate.issuer)) : [];
  const definitions = (checked.length > 0 ? checked : candidates).map((candidate) => `"${candidate.name}"`).join(' or ');
  // A verified token a route's scopes or claims refused: the reason is what the route asks for (never the token's values).
  const refusedBy = error.code === 'INSUFFICIENT_SCOPE' || error.code === 'CLAIMS_NOT_ALLOWED' ? requirement.authorization : undefined;
  const reason = refusedBy && jwt ? refusedBy.explain(jwt.payload) : explainRejection(error, {
    jwt,
    candidates,
    audiences: requirement.audiences && checked[0] && requirement.audiences.get(checked[0].name),
    clockSkewSeconds: settings.clockSkewSeconds,
    nowSeconds: Math.floor(Date.now() / 1000),
    keysOf: (name) => registry.get(name).keys.current(),
    fetchFailureOf: () => undefined,
  });
  logger.debug(`refused ${what()} (${definitions}): ${error.code} "${error.message}": ${reason}`);
}

/**
 * Whether the app's logger prints `debug` lines. Nest 12's `Logger.isLevelEnabled` asks that logger; Nest 11's reads
 * only levels set as an array (`logger: ['debug', ...]`) and says no for a default app, whose console logger prints them.
 */
function debugEnabled(): boolean {
  if (Logger.isLevelEnabled('debug')) return true;
  const target = logger.localInstance as LoggerService | undefined; // undefined under `logger: false`
  if (target instanceof ConsoleLogger) return target.isLevelEnabled('debug');
  // Another logger prints every level, unless the app set levels as an array (which isLevelEnabled read above).
  return target !== undefined && (Logger as unknown as { logLevels?: unknown }).logLevels === undefined;
}

/** The first token the candidates read that the strict reader can read: the one the explanation is about. */
function readableToken(request: HttpRequestLike, candidates: readonly EndpointsProvider[], maxTokenBytes: number): ParsedJwt | undefined {
  for (const locations of new Set(candidates.map((candidate) => candidate.locations))) {
    let tokens: string[];
    try {
      tokens = extractTokens(request, locations);
    } catch {
      continue; // a cookie sent twice with different values: its error's own message explains it
    }
    for (const token of tokens) {
      try {
        return parseJwt(token, maxTokenBytes);
      } catch {
        // An unreadable token is explained by its error's own message.
      }
    }
  }
  return undefined;
}
