/** The `connectionParams` keys a graphql-ws client sends its token under, in the order they are read. */
const TOKEN_PARAMS = ['Authorization', 'authorization', 'access_token'] as const;

/** `Bearer` in any case, as the default `Authorization` location reads it (RFC 7235 §2.1). */
const BEARER = /^bearer +/i;

/**
 * The token a graphql-ws client sent in its `connectionParams` (browsers cannot set headers on a WebSocket): the
 * first of `Authorization` and `authorization` (`Bearer <token>`) and `access_token` (the bare token) that is a
 * string, or `undefined` when none is. An `Authorization` value without the `Bearer` scheme carries no token, as
 * the header does not for ESP.
 */
export function connectionToken(params: Readonly<Record<string, unknown>> | undefined): string | undefined {
  if (!params) return undefined;
  for (const name of TOKEN_PARAMS) {
    const value = params[name];
    if (typeof value !== 'string') continue;
    if (name === 'access_token') return value.trim() || undefined;
    return BEARER.test(value) ? value.replace(BEARER, '').trim() || undefined : undefined;
  }
  return undefined;
}
