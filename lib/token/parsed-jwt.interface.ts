import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';

/** A token that passed the strict reader; nothing in it is verified yet. */
export interface ParsedJwt {
  /** The compact token as it was received. */
  raw: string;
  header: { alg: string; kid?: string; [member: string]: unknown };
  payload: JwtClaims;
  /** `header.payload`, the bytes the signature covers. */
  signingInput: string;
  signature: Buffer;
}
