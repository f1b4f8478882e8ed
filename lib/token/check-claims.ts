import { AuthError } from '../errors/auth-error.js';
import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import { checkAudience, checkTime } from './claim-rules.js';
import { issuerMatches } from './issuer.util.js';
import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';

/**
 * The claim checks ESPv2 runs before it looks at keys (Envoy `authenticator.cc` `startVerify`): issuer (exact),
 * then time, then audience; so an expired token with a bad signature is "expired", not "bad signature". `audiences`
 * replaces the provider's when a requirement names its own (ESPv2's `provider_and_audiences`).
 */
export function checkClaims(
  payload: JwtClaims,
  provider: EndpointsProvider,
  skewSeconds: number,
  nowSeconds: number,
  audiences: readonly string[] = provider.audiences,
): void {
  if (!issuerMatches(payload.iss, provider.issuer)) throw new AuthError('UNKNOWN_ISSUER');
  checkTime(payload, nowSeconds, skewSeconds, provider.requiresIssuedAt);
  checkAudience(payload, audiences);
}
