import type { ExecutionContext } from '@nestjs/common';
import { graphqlRequestOf } from '../graphql/graphql-request.util.js';
import { grpcRequestOf } from '../grpc/grpc-request.util.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';

/**
 * The HTTP request behind a context: the request itself for `http`, the request in the GraphQL context for `graphql`,
 * a view of a gRPC call's metadata for `rpc`; `undefined` for any other context (WebSockets, RPC transports other
 * than gRPC).
 */
export function requestOf(context: ExecutionContext): HttpRequestLike | undefined {
  const type = context.getType<string>();
  if (type === 'http') return context.switchToHttp().getRequest<HttpRequestLike>();
  if (type === 'graphql') return graphqlRequestOf(context);
  if (type === 'rpc') return grpcRequestOf(context);
  return undefined;
}
