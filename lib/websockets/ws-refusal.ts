import type { AuthErrorCode } from '../errors/auth-error-code.js';
import type { AuthError } from '../errors/auth-error.js';

/**
 * What a WebSocket client receives for every refusal (the `exception` event's data, socket.io's `connect_error`
 * data): ESP's message and the stable `errorCode`, in the shape Nest's `BaseWsExceptionFilter` emits.
 * @publicApi
 */
export interface WsRefusal {
  status: 'error';
  message: string;
  errorCode: AuthErrorCode;
}

/** The refusal a client receives for `error`. */
export function wsRefusalOf(error: AuthError): WsRefusal {
  return { status: 'error', message: error.message, errorCode: error.code };
}

/** The close code of a refused or expired connection: 4401, or 4403 where HTTP answers 403 (the audience). */
export function wsCloseCodeOf(error: AuthError): 4401 | 4403 {
  return error.status === 403 ? 4403 : 4401;
}

/** The close reason: ESP's message, cut to the 123 bytes a close frame can carry (RFC 6455 §5.5). */
export function wsCloseReasonOf(error: AuthError): string {
  const bytes = Buffer.from(error.message);
  return bytes.length <= 123 ? error.message : bytes.subarray(0, 123).toString('utf8').replace(/\uFFFD$/, '');
}
