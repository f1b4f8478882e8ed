import type { AuthError } from '../errors/auth-error.js';
import { wsRefusalOf } from './ws-refusal.js';

type WsExceptionClass = new (error: object) => Error;

/** Loaded on the first WebSocket failure only: @nestjs/websockets is an optional peer an HTTP-only app never installs. */
let wsExceptionClass: Promise<WsExceptionClass> | undefined;

/**
 * The `WsException` for an authentication failure in a gateway's message handler: Nest's `BaseWsExceptionFilter`
 * emits its object as it is, so the client gets the `exception` event with `{ status: 'error', message, errorCode }`.
 * Any other error would reach the client as "Internal server error".
 */
export async function toWsException(error: AuthError): Promise<Error> {
  wsExceptionClass ??= import('@nestjs/websockets').then((websockets) => websockets.WsException);
  const WsException = await wsExceptionClass;
  return new WsException(wsRefusalOf(error));
}
