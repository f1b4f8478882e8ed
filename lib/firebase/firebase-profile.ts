// The Firebase profile: Firebase Admin's checks of ID tokens and session cookies on top of ESP's (docs/firebase.md).
import { Logger } from '@nestjs/common';
import type { AuthError } from '../errors/auth-error.js';
import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';
import type { TokenProfile } from '../strategies/token-profile.interface.js';
import type { KeyClock } from '../keys/key-clock.js';
import type { ParsedJwt } from '../token/parsed-jwt.interface.js';
import { type FirebaseTokenRules, checkFirebaseToken } from './check-firebase-token.js';
import type { ResolvedFirebaseProfile } from './firebase-profile-options.interface.js';
import { RevocationVerdicts } from './revocation-verdicts.js';

/**
 * The profile of one definition: Admin's static checks once per token, and with `checkRevoked` the revocation
 * verdict on every request, from its own cache.
 */
export class FirebaseProfile implements TokenProfile {
  private readonly logger = new Logger('EndpointsAuthFirebase');
  /** Present only with `checkRevoked`, so a definition without one costs a request nothing. */
  readonly recheck?: (claims: JwtClaims) => AuthError | undefined | Promise<AuthError | undefined>;
  /** The start-up log's words for it. */
  readonly description: string;

  constructor(
    name: string,
    private readonly rules: FirebaseTokenRules,
    settings: ResolvedFirebaseProfile,
    clock: KeyClock,
  ) {
    const { checkRevoked } = settings;
    if (checkRevoked) {
      const onFault = (fault: string) => this.logger.warn(`"${name}": checkRevoked failed (${fault}); the token is refused`);
      const verdicts = new RevocationVerdicts(checkRevoked, settings.revocationTtlMs, settings.revocationMaxEntries, clock, onFault);
      this.recheck = (claims) => verdicts.refusalOf(claims);
    }
    const tenants = rules.tenants ? `tenants ${[...rules.tenants].join(', ')}` : 'any tenant';
    const revocation = checkRevoked ? `revocation checked, verdicts kept ${settings.revocationTtlMs / 1000} s` : 'no revocation check';
    this.description = `Firebase profile (project ${rules.project}, ${tenants}, ${revocation})`;
  }

  check(jwt: ParsedJwt, nowSeconds: number, skewSeconds: number): void {
    checkFirebaseToken(jwt, this.rules, nowSeconds, skewSeconds);
  }
}
