import { Catch, NotFoundException, type RpcExceptionFilter } from '@nestjs/common';
import { GrpcNotFoundException } from '@nestjs/microservices';
import { type Observable, throwError } from 'rxjs';

/**
 * Turns the store's `NotFoundException` into gRPC status NOT_FOUND: Nest's RPC exception filter answers any
 * HTTP exception with UNKNOWN "Internal server error", which would hide a missing shelf from the caller.
 */
@Catch(NotFoundException)
export class NotFoundRpcFilter implements RpcExceptionFilter<NotFoundException> {
  catch(exception: NotFoundException): Observable<never> {
    return throwError(() => new GrpcNotFoundException(exception.message).getError());
  }
}
