import type { KeyRecord } from '../keys/key-record.interface.js';
import type { ParsedJwt } from '../token/parsed-jwt.interface.js';

/**
 * The option under which the guard hands a strategy the token it wants verified (a request may carry several), so
 * the strategy verifies exactly that token and reuses the guard's parse. Passed in Passport's `options` argument
 * rather than on the request: adding and deleting a property on every request would slow all later access to it.
 */
export const TOKEN_SLOT = Symbol.for('nestjs-endpoints-auth:token');

/** The token the guard asks a strategy to verify. */
export interface TokenSlot {
  jwt: ParsedJwt;
  /** The audiences that replace the definition's for this call (a service config rule's, or a gRPC service URL's). */
  audiences?: readonly string[];
  /** The key whose signature check passed, for the validated-token cache. */
  key?: KeyRecord;
  /** Whether the keys held one for the token's kid and alg, once they were looked at (for the verification's span). */
  keyFound?: boolean;
}
