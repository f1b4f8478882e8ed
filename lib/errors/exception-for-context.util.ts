import type { ExecutionContext } from '@nestjs/common';
import { toGraphqlError } from '../graphql/to-graphql-error.util.js';
import { toWsException } from '../websockets/to-ws-exception.util.js';
import type { AuthError } from './auth-error.js';
import { toHttpException } from './to-http-exception.util.js';
import { toRpcException } from './to-rpc-exception.util.js';

/**
 * The exception that carries an authentication failure to the caller of `context`: gRPC status for RPC, a
 * `GraphQLError` for a resolver, a `WsException` (the `exception` event) for a gateway message, 401/403 otherwise.
 */
export async function exceptionForContext(context: ExecutionContext, error: AuthError): Promise<Error> {
  const type = context.getType<string>();
  if (type === 'graphql') return toGraphqlError(error);
  if (type === 'ws') return toWsException(error);
  return type === 'rpc' ? toRpcException(error) : toHttpException(error);
}
