import { AuthError } from '../errors/auth-error.js';
import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import { checkAudience, checkTime } from './claim-rules.js';
import type { ParsedJwt } from './parsed-jwt.interface.js';

/**
 * The claim checks ESPv2 runs before it looks at keys (Envoy `authenticator.cc` `startVerify`): issuer (exact),
 * then time, then audience; so an expired token with a bad signature is "expired", not "bad signature".
 */
export function checkClaims(jwt: ParsedJwt, provider: EndpointsProvider, skewSeconds: number, nowSeconds: number): void {
  if (jwt.payload.iss !== provider.issuer) throw new AuthError('UNKNOWN_ISSUER');
  checkTime(jwt.payload, nowSeconds, skewSeconds);
  checkAudience(jwt.payload, provider.audiences);
}
