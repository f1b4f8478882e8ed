import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';
import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { EndpointsAuthCounters } from '../keys/key-counters.js';
import { RequestAuthenticator } from '../strategies/request-authenticator.js';
import { StrategyRegistry } from '../strategies/strategy-registry.js';
import { sanitizeAudience } from '../token/audience.util.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { issuerMatches } from '../token/issuer.util.js';
import type { LoadedSpec } from './load-spec.js';

/** A token the module would accept, and the definition that accepted it. */
export interface Accepted {
  provider: EndpointsProvider;
  claims: JwtClaims;
}

/**
 * The module's own verification, outside an app: the strategies and the authenticator built from the loaded spec as
 * the module builds them, asked about one request that carries the token where each candidate definition looks for
 * it. So the answer (and the `AuthError` thrown for a refusal) is exactly the module's.
 */
export class TokenVerifier {
  readonly registry: StrategyRegistry;
  private readonly authenticator: RequestAuthenticator;

  constructor(private readonly loaded: LoadedSpec) {
    const counters = new EndpointsAuthCounters();
    this.registry = new StrategyRegistry(loaded.spec, loaded.settings, counters);
    this.authenticator = new RequestAuthenticator(this.registry, loaded.settings, counters);
  }

  /**
   * Verifies `token` against `definitions` (alternatives, as a route's `security`); `audiences`, when given,
   * replace each definition's own, as a service config rule's do. Throws the module's `AuthError`.
   */
  async verify(token: string, definitions: readonly string[], audiences?: readonly string[]): Promise<Accepted> {
    const requirement: SecurityRequirement = {
      providers: [...definitions],
      optional: false,
      audiences: audiences && new Map(definitions.map((name) => [name, audiences.map(sanitizeAudience)])),
    };
    const request = requestCarrying(token, definitions.map((name) => this.registry.get(name).provider));
    const verified = await this.authenticator.verify(request, requirement);
    // Issuers are unique in a spec, so the one definition whose issuer the claims name is the one that accepted.
    const provider = definitions.map((name) => this.registry.get(name).provider).find((candidate) => issuerMatches(verified!.claims.iss, candidate.issuer));
    return { provider: provider!, claims: verified!.claims };
  }

  /** The size cap the module reads tokens with. */
  get maxTokenBytes(): number {
    return this.loaded.settings.maxTokenBytes;
  }

  /** Stops the key stores' refresh timers, as the module does when the app closes. */
  close(): void {
    this.registry.onModuleDestroy();
  }
}

/** A request with the token in every location the definitions read (a header once per prefix, each query and cookie name). */
function requestCarrying(token: string, providers: readonly EndpointsProvider[]): HttpRequestLike {
  const rawHeaders: string[] = [];
  const query = new URLSearchParams();
  for (const location of new Set(providers.flatMap((provider) => provider.locations))) {
    if ('query' in location) query.set(location.query, token);
    else if ('cookie' in location) rawHeaders.push('Cookie', `${location.cookie}=${token}`);
    else rawHeaders.push(location.header, `${location.valuePrefix ?? ''}${token}`);
  }
  const url = query.size > 0 ? `/?${query.toString()}` : '/';
  // Each distinct header value once: two locations on one header and one prefix would otherwise repeat it, and a
  // repeated header counts as two tokens (both must verify, which they would: they are the same).
  const unique = new Map<string, string>();
  for (let i = 0; i < rawHeaders.length; i += 2) unique.set(`${rawHeaders[i]!.toLowerCase()}\n${rawHeaders[i + 1]}`, rawHeaders[i]!);
  const raw = [...unique].flatMap(([key, name]) => [name, key.slice(key.indexOf('\n') + 1)]);
  return { method: 'GET', url, protocol: 'http', headers: { host: 'localhost' }, rawHeaders: raw };
}
