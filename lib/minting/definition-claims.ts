import type { EndpointsProvider } from '../interfaces/provider.interface.js';

/** The `sub` of a minted token when the caller names none. */
export const DEFAULT_SUBJECT = 'test-user';

/**
 * The claims of a token a definition accepts: its issuer, its first audience as written (none when it accepts any), a subject,
 * `iat` now and `exp` after `lifetimeSeconds`; `claims` override any of them.
 */
export function definitionClaims(
  provider: EndpointsProvider,
  claims: Readonly<Record<string, unknown>>,
  nowSeconds: number,
  lifetimeSeconds: number,
): Record<string, unknown> {
  const audience = provider.mintedAudience ?? provider.audiences[0];
  return {
    iss: provider.issuer,
    sub: DEFAULT_SUBJECT,
    ...(audience === undefined ? {} : { aud: audience }),
    iat: nowSeconds,
    exp: nowSeconds + lifetimeSeconds,
    ...claims,
  };
}
