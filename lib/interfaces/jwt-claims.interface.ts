/**
 * The decoded payload of a verified token, as ESPv2 forwards it to the backend.
 * @publicApi
 */
export interface JwtClaims {
  iss: string;
  sub?: string;
  aud?: string | string[];
  exp: number;
  iat?: number;
  nbf?: number;
  email?: string;
  [claim: string]: unknown;
}
