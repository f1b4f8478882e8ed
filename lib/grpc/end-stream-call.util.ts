import type { ExecutionContext } from '@nestjs/common';
import type { AuthError } from '../errors/auth-error.js';
import { GRPC_STATUS } from '../errors/to-rpc-exception.util.js';

/** What the library uses of a grpc-js server stream: its metadata, and `emit('error')` to end it with a status. */
interface StreamCallLike {
  metadata?: unknown;
  getPath?: () => string;
  emit?: (event: 'error', error: object) => boolean;
}

/**
 * Ends a `@GrpcStreamCall` (pass-through) call with the failure's gRPC status, and says whether it did. Nest runs
 * such a handler as `(call, callback)` inside an async function whose promise grpc-js ignores: an exception thrown
 * by a guard there becomes an unhandled rejection (the process exits) and the caller never gets a status. So the
 * guard ends the call itself: a client stream through its callback, a bidi stream with an `error` event (grpc-js
 * turns it into the status).
 */
export function endPassThroughCall(context: ExecutionContext, error: AuthError): boolean {
  if (context.getType() !== 'rpc') return false;
  const [call, callback] = context.getArgs<unknown[]>();
  if (!isStreamCall(call) || isMetadataLike(callback)) return false;
  const status = {
    code: error.status === 403 ? GRPC_STATUS.PERMISSION_DENIED : GRPC_STATUS.UNAUTHENTICATED,
    details: error.message,
  };
  if (typeof callback === 'function') callback(status);
  else if (typeof call.emit === 'function') call.emit('error', status);
  else return false;
  return true;
}

function isStreamCall(value: unknown): value is StreamCallLike {
  return typeof value === 'object' && value !== null && typeof (value as StreamCallLike).getPath === 'function';
}

function isMetadataLike(value: unknown): boolean {
  return typeof value === 'object' && value !== null && typeof (value as { getMap?: unknown }).getMap === 'function';
}
