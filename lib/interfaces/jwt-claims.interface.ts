/**
 * The decoded payload of a verified token, as ESPv2 forwards it to the backend.
 * @publicApi
 */
export interface JwtClaims {
  /** The issuer; equal to the `x-google-issuer` of the definition that verified the token. */
  iss: string;
  /** The subject: the user or the service account. */
  sub?: string;
  /** The audiences; at least one is allowed by the definition (unless the service-name check is off). */
  aud?: string | string[];
  /** Expiry, in seconds since the epoch; always present (this library requires it). */
  exp: number;
  /** Issued-at, in seconds since the epoch. */
  iat?: number;
  /** Not-before, in seconds since the epoch. */
  nbf?: number;
  /** The e-mail claim of Google, Firebase and service-account tokens. */
  email?: string;
  /** Any other claim the issuer put in the token. */
  [claim: string]: unknown;
}
