import type { KeyRecord } from '../keys/key-record.interface.js';
import type { ParsedJwt } from '../token/parsed-jwt.interface.js';

/**
 * Where the guard leaves the token it wants verified on the request, so the strategy verifies exactly that token
 * (a request may carry several) and its claim checks reuse the guard's parse.
 */
export const TOKEN_SLOT = Symbol.for('nestjs-endpoints-auth:token');

/** The token the guard asks a strategy to verify. */
export interface TokenSlot {
  jwt: ParsedJwt;
  /** The key the strategy handed to the signature check, for the validated-token cache. */
  key?: KeyRecord;
}
