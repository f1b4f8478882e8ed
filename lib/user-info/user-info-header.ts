import type { UserInfoHeaderFormat } from '../interfaces/endpoints-auth-options.interface.js';
import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';
import { grpcMetadataOf } from '../grpc/grpc-request.util.js';
import { rawHeadersOf } from '../token/header-values.util.js';
import type { HttpRequestLike } from '../token/http-request.interface.js';

/** The header ESP forwards the verified caller in (ESPv2's `--generated_header_prefix` default `X-Endpoint-`). */
export const USER_INFO_HEADER = 'x-endpoint-api-userinfo';

/**
 * The header's value for a verified token: ESPv2's is the token's payload segment as sent (base64url, padded only
 * when the issuer padded it, as Envoy forwards it);
 * ESP v1's is padded base64url of `{claims, issuer, id, email, audiences}` (esp-rules.md R43).
 */
export function userInfoValue(format: Exclude<UserInfoHeaderFormat, false>, token: string, claims: JwtClaims): string {
  if (format === 'espv2') {
    const start = token.indexOf('.') + 1;
    return token.slice(start, token.indexOf('.', start));
  }
  return padded(Buffer.from(JSON.stringify(espV1UserInfo(claims))).toString('base64url'));
}

/**
 * ESP v1's user info, members in its order and empty ones left out. Its `claims` is the payload re-serialised as a
 * string, in which an `aud` list becomes `""` (ESP v1 `UpdateAudience`): code written for ESP v1 sees what it saw.
 */
function espV1UserInfo(claims: JwtClaims): Record<string, unknown> {
  const aud = claims.aud === undefined ? [] : Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  const info: Record<string, unknown> = {
    claims: JSON.stringify(Array.isArray(claims.aud) ? { ...claims, aud: '' } : claims),
    issuer: claims.iss,
    id: claims.sub,
    email: claims.email,
    audiences: [...new Set(aud)].sort(),
  };
  for (const [name, value] of Object.entries(info)) {
    if (value === undefined || value === '' || (Array.isArray(value) && value.length === 0)) delete info[name];
  }
  return info;
}

function padded(base64url: string): string {
  return base64url + '='.repeat((4 - (base64url.length % 4)) % 4);
}

/**
 * Removes a client-sent `X-Endpoint-API-UserInfo` (ESP v1 does so on every request; ESPv2 on authenticated routes),
 * from every view Node gives of the headers (parsed, raw list, `headersDistinct`), so no code downstream mistakes a
 * forged one for a verified caller. Accepts a Node request, or a Fastify request wrapping one in `raw`.
 */
export function stripUserInfo(request: HttpRequestLike): void {
  const headers = request.headers as Record<string, unknown> | undefined;
  if (headers?.[USER_INFO_HEADER] === undefined) return;
  // A gRPC call: the handler reads the call's own metadata, not the guard's view of it.
  grpcMetadataOf(request)?.remove(USER_INFO_HEADER);
  const message = (request['raw'] ?? request) as { headersDistinct?: Record<string, unknown> };
  // Node builds headersDistinct lazily from the raw list and the header count it parsed: built after the list
  // shrinks, it would read past its end and throw. So it is built now, and the header removed from it too.
  const distinct = message.headersDistinct;
  if (distinct) delete distinct[USER_INFO_HEADER];
  delete headers[USER_INFO_HEADER];
  const raw = rawHeadersOf(request);
  if (!raw) return;
  for (let i = raw.length - 2; i >= 0; i -= 2) if (String(raw[i]).toLowerCase() === USER_INFO_HEADER) raw.splice(i, 2);
}

/** Sets the verified caller's `X-Endpoint-API-UserInfo` on the request, where `request.headers` readers find it. */
export function setUserInfo(request: HttpRequestLike, value: string): void {
  (request.headers as Record<string, unknown>)[USER_INFO_HEADER] = value;
  grpcMetadataOf(request)?.set(USER_INFO_HEADER, value);
}
