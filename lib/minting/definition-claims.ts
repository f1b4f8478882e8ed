import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import { firebaseProjectOf } from '../firebase/firebase-issuer.js';

/** The `sub` of a minted token when the caller names none. */
export const DEFAULT_SUBJECT = 'test-user';

/**
 * The claims of a token a definition accepts: its issuer, its first audience as written (none when it accepts any), a subject,
 * `iat` now and `exp` after `lifetimeSeconds`; `claims` override any of them. A Firebase definition's token is shaped
 * as Firebase's are, so it passes the Firebase profile too: `aud` the project (when the definition accepts it) and
 * `auth_time` now.
 */
export function definitionClaims(
  provider: EndpointsProvider,
  claims: Readonly<Record<string, unknown>>,
  nowSeconds: number,
  lifetimeSeconds: number,
): Record<string, unknown> {
  const project = firebaseProjectOf(provider.issuer);
  const firebase = project !== undefined && (provider.audiences.length === 0 || provider.audiences.includes(project));
  const audience = firebase ? project : (provider.mintedAudience ?? provider.audiences[0]);
  return {
    iss: provider.issuer,
    sub: DEFAULT_SUBJECT,
    ...(audience === undefined ? {} : { aud: audience }),
    iat: nowSeconds,
    exp: nowSeconds + lifetimeSeconds,
    ...(project === undefined ? {} : { auth_time: nowSeconds }),
    ...claims,
  };
}
