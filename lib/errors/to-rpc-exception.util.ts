import type { AuthError } from './auth-error.js';

/** gRPC status codes (`google.rpc.Code`) of authentication failures, as ESP answers gRPC callers. */
export const GRPC_STATUS = { UNAUTHENTICATED: 16, PERMISSION_DENIED: 7 } as const;

type RpcExceptionClass = new (error: object) => Error;

/** Loaded on the first RPC failure only: @nestjs/microservices is an optional peer an HTTP-only app never installs. */
let rpcExceptionClass: Promise<RpcExceptionClass> | undefined;

/**
 * The `RpcException` for an authentication failure in an RPC context: `{ code, message, errorCode }`, which
 * Nest's default RPC exception filter (and Nest 12's `GrpcExceptionFilter`) hand to grpc-js, so the caller gets
 * gRPC status UNAUTHENTICATED (16), or PERMISSION_DENIED (7) where HTTP answers 403, with ESP's message as the
 * status details. Any other error would reach the caller as UNKNOWN "Internal server error".
 */
export async function toRpcException(error: AuthError): Promise<Error> {
  rpcExceptionClass ??= import('@nestjs/microservices').then((microservices) => microservices.RpcException);
  const RpcException = await rpcExceptionClass;
  const code = error.status === 403 ? GRPC_STATUS.PERMISSION_DENIED : GRPC_STATUS.UNAUTHENTICATED;
  return new RpcException({ code, message: error.message, errorCode: error.code });
}
