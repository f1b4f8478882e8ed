import { parseJwt } from '../token/parse-jwt.js';

/** The largest token a token server may answer with: the request helper's body cap. */
const MAX_TOKEN_BYTES = 64 * 1024;

/**
 * The `exp` of a JWT (ms since the epoch), read with the library's strict reader but not verified: the caller only
 * needs to know when to fetch a new token, and the callee verifies it. Throws when the token cannot be read or has no
 * `exp` (never quoting the token).
 */
export function tokenExpiry(token: string, from: string): number {
  let exp: number | undefined;
  try {
    exp = parseJwt(token, MAX_TOKEN_BYTES).payload.exp;
  } catch {
    throw new Error(`${from} answered something that is not a JWT`);
  }
  if (exp === undefined) throw new Error(`${from} answered a JWT without a numeric exp`);
  return exp * 1000;
}
