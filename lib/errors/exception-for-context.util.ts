import type { ExecutionContext } from '@nestjs/common';
import { toGraphqlError } from '../graphql/to-graphql-error.util.js';
import type { AuthError } from './auth-error.js';
import { toHttpException } from './to-http-exception.util.js';
import { toRpcException } from './to-rpc-exception.util.js';

/**
 * The exception that carries an authentication failure to the caller of `context`: gRPC status for RPC, a
 * `GraphQLError` for a resolver, 401/403 otherwise.
 */
export async function exceptionForContext(context: ExecutionContext, error: AuthError): Promise<Error> {
  if (context.getType<string>() === 'graphql') return toGraphqlError(error);
  return context.getType() === 'rpc' ? toRpcException(error) : toHttpException(error);
}
