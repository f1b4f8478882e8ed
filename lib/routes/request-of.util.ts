import type { ExecutionContext } from '@nestjs/common';
import { graphqlRequestOf } from '../graphql/graphql-request.util.js';
import { grpcRequestOf } from '../grpc/grpc-request.util.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';
import { wsRequestOf } from '../websockets/ws-connections.js';

/**
 * The HTTP request behind a context: the request itself for `http`, the request in the GraphQL context for `graphql`,
 * a view of a gRPC call's metadata for `rpc`, the handshake of the connection a gateway message arrived on for `ws`;
 * `undefined` for any other context (RPC transports other than gRPC, a WebSocket not opened by this library's
 * adapters).
 */
export function requestOf(context: ExecutionContext): HttpRequestLike | undefined {
  const type = context.getType<string>();
  // What `switchToHttp().getRequest()` returns, without the three closures Nest's `switchToHttp()` makes per call.
  if (type === 'http') return context.getArgByIndex<HttpRequestLike>(0);
  if (type === 'graphql') return graphqlRequestOf(context);
  if (type === 'rpc') return grpcRequestOf(context);
  if (type === 'ws') return wsRequestOf(context);
  return undefined;
}
