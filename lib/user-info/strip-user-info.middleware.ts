import type { HttpRequestLike } from '../token/http-request.interface.js';
import { stripUserInfo } from './user-info-header.js';

/**
 * Removes a client-sent `X-Endpoint-API-UserInfo` before any guard, interceptor or handler of the app sees the
 * request: Nest runs the app's own global guards before the library's, and code written for ESP trusts the header.
 */
export function stripUserInfoMiddleware(request: HttpRequestLike, _response: unknown, next: () => void): void {
  stripUserInfo(request);
  next();
}
