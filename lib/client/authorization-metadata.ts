import type { TokenSource } from './token-source.interface.js';

/** What gRPC call metadata needs: grpc-js `Metadata` has `set(key, value)`. */
export interface MetadataLike {
  set(key: string, value: string): void;
}

/**
 * The `authorization` metadata entry (`Bearer <token>`) for a gRPC call to `audience`, as ESP reads it; set on
 * `metadata` when one is given (a grpc-js `Metadata`), and returned as a plain record either way. grpc-js is not
 * imported: it stays an optional dependency of the app.
 */
export async function authorizationMetadata(
  source: TokenSource,
  audience: string,
  metadata?: MetadataLike,
): Promise<{ authorization: string }> {
  const entry = { authorization: `Bearer ${await source.getToken(audience)}` };
  metadata?.set('authorization', entry.authorization);
  return entry;
}
