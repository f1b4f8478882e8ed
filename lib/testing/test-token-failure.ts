import type { EndpointsProvider } from '../interfaces/provider.interface.js';

/**
 * The refusals a test asks for: each makes a token the real guard refuses with its own errorCode — `expired`
 * (TOKEN_EXPIRED), `notYetValid` (TOKEN_NOT_YET_VALID), `wrongAudience` (AUDIENCE_NOT_ALLOWED), `unknownIssuer`
 * (UNKNOWN_ISSUER), `badSignature` (INVALID_TOKEN).
 * @publicApi
 */
export type TestTokenFailure = 'expired' | 'notYetValid' | 'wrongAudience' | 'unknownIssuer' | 'badSignature';

const FAILURES: readonly TestTokenFailure[] = ['expired', 'notYetValid', 'wrongAudience', 'unknownIssuer', 'badSignature'];

/** An issuer no definition names. */
export const UNKNOWN_ISSUER = 'https://unknown-issuer.invalid';
/** An audience no definition lists. */
export const WRONG_AUDIENCE = 'https://wrong-audience.invalid';
/** How far past the allowed clock skew an expired or not-yet-valid token is: an hour, as far as a real mistake goes. */
const HOUR = 3600;

/** The claims that make `failure` happen (none for `badSignature`, which breaks the signature instead). */
export function failureClaims(
  failure: TestTokenFailure,
  provider: EndpointsProvider,
  nowSeconds: number,
  clockSkewSeconds: number,
): Record<string, unknown> {
  switch (failure) {
    case 'expired':
      return { iat: nowSeconds - clockSkewSeconds - 2 * HOUR, exp: nowSeconds - clockSkewSeconds - HOUR };
    case 'notYetValid':
      return { nbf: nowSeconds + clockSkewSeconds + HOUR };
    case 'wrongAudience':
      if (provider.audiences.length === 0) {
        throw new Error(`nestjs-endpoints-auth/testing: "${provider.name}" accepts any audience, so no audience is wrong for it`);
      }
      return { aud: WRONG_AUDIENCE };
    case 'unknownIssuer':
      return { iss: UNKNOWN_ISSUER };
    case 'badSignature':
      return {};
    default:
      throw new Error(`nestjs-endpoints-auth/testing: unknown failure "${String(failure)}"; one of ${FAILURES.join(', ')}`);
  }
}

/**
 * The same token with one bit of its signature flipped, in the signature's first byte so the base64url stays
 * canonical: it reads as well-formed and fails only at the signature check.
 */
export function breakSignature(token: string): string {
  const dot = token.lastIndexOf('.');
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  signature[0] ^= 0x01;
  return `${token.slice(0, dot + 1)}${signature.toString('base64url')}`;
}
