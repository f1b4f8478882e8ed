/** The `connectionParams` keys a graphql-ws client sends its token under, in the order they are read. */
const TOKEN_PARAMS = ['Authorization', 'authorization', 'access_token'] as const;

/** `Bearer` in any case, as the default `Authorization` location reads it (RFC 7235 §2.1). */
const BEARER = /^bearer +/i;

/**
 * Every distinct token a graphql-ws client sent in its `connectionParams` (browsers cannot set headers on a
 * WebSocket), in the order `Authorization`, `authorization` (`Bearer <token>`), `access_token` (the bare token): all
 * of them, as ESP reads every location of a request and every token it finds must verify. A value that is not a
 * string, and an `Authorization` value without the `Bearer` scheme, carry no token, as such a header does not for ESP.
 */
export function connectionTokens(params: Readonly<Record<string, unknown>> | undefined): string[] {
  const tokens: string[] = [];
  if (!params) return tokens;
  for (const name of TOKEN_PARAMS) {
    const value = params[name];
    if (typeof value !== 'string') continue;
    const token = name === 'access_token' ? value.trim() : BEARER.test(value) ? value.replace(BEARER, '').trim() : '';
    if (token !== '' && !tokens.includes(token)) tokens.push(token);
  }
  return tokens;
}
