/**
 * The `exp` of a JWT (ms since the epoch), read without verifying: the caller only needs to know when to fetch a new
 * token, and the callee verifies it. Throws when the token has no numeric `exp` (never quoting the token).
 */
export function tokenExpiry(token: string, from: string): number {
  const parts = token.split('.');
  let exp: unknown;
  try {
    if (parts.length !== 3) throw new Error();
    exp = (JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8')) as { exp?: unknown }).exp;
  } catch {
    throw new Error(`${from} answered something that is not a JWT`);
  }
  if (typeof exp !== 'number' || !Number.isFinite(exp)) throw new Error(`${from} answered a JWT without a numeric exp`);
  return exp * 1000;
}
