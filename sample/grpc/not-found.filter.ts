import { status } from '@grpc/grpc-js';
import { Catch, NotFoundException, type RpcExceptionFilter } from '@nestjs/common';
import { type Observable, throwError } from 'rxjs';

/**
 * Turns the store's `NotFoundException` into gRPC status NOT_FOUND: Nest's RPC exception filter answers any
 * HTTP exception with UNKNOWN "Internal server error", which would hide a missing shelf from the caller.
 */
@Catch(NotFoundException)
export class NotFoundRpcFilter implements RpcExceptionFilter<NotFoundException> {
  catch(exception: NotFoundException): Observable<never> {
    // The error Nest's gRPC server answers with, as `GrpcNotFoundException#getError()` makes it (Nest 12 only).
    return throwError(() => ({ code: status.NOT_FOUND, message: exception.message }));
  }
}
