import type { AuthorizationEntry, AuthorizationHeader } from './authorization-header.js';
import { checkAuthorizationHeader } from './authorization-header.util.js';
import type { TokenSource } from './token-source.interface.js';

/** What gRPC call metadata needs: grpc-js `Metadata` has `set(key, value)`. */
export interface MetadataLike {
  set(key: string, value: string): void;
}

/**
 * The `authorization` metadata entry (`Bearer <token>`) for a gRPC call to `audience`, as ESP reads it — or, with
 * `header: 'x-serverless-authorization'`, that entry instead (an `authorization` already on `metadata` is kept);
 * set on `metadata` when one is given (a grpc-js `Metadata`), and returned as a plain record either way. grpc-js is
 * not imported: it stays an optional dependency of the app.
 */
export async function authorizationMetadata<H extends AuthorizationHeader = 'authorization'>(
  source: TokenSource,
  audience: string,
  metadata?: MetadataLike,
  options: { header?: H } = {},
): Promise<AuthorizationEntry<H>> {
  const header = checkAuthorizationHeader(options.header, 'authorizationMetadata');
  const value = `Bearer ${await source.getToken(audience)}`;
  metadata?.set(header, value);
  return { [header]: value } as AuthorizationEntry<H>;
}
