/** Helpers shared by the gRPC e2e tests. */
import type { JwtClaims } from '../../lib/index.js';

/** gRPC status codes the tests expect. */
export const OK = 0;
export const UNAUTHENTICATED = 16;
export const PERMISSION_DENIED = 7;

/** The reply of every test handler: its method and the claims `@UserInfo()` gave it. */
export function replyOf(method: string, claims: JwtClaims | undefined) {
  return { method, sub: claims?.sub ?? '', email: claims?.email ?? '', verified: claims !== undefined };
}
