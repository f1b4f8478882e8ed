import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';

/**
 * The scopes a token grants: its `scope` (RFC 8693 §4.2, space-delimited) and its `scp` (an array of strings, as
 * Okta writes it, or a space-delimited string, as Microsoft Entra does); anything else there grants nothing.
 */
export function scopesOf(claims: JwtClaims): Set<string> {
  const granted = new Set<string>();
  for (const value of [claims['scope'], claims['scp']]) {
    const words = typeof value === 'string' ? value.split(' ') : Array.isArray(value) ? value : [];
    for (const word of words) if (typeof word === 'string' && word !== '') granted.add(word);
  }
  return granted;
}
