/**
 * The token in a header value after its prefix: from the first token character (base64url or `.`), skipping the
 * spaces or quotes before it as Envoy's `extractJWT` does, to the end of the value. Envoy also stops at the first
 * non-token character; here what follows stays part of the token and fails as malformed, since no client sends it.
 */
export function tokenAfterPrefix(value: string, from: number): string {
  let start = from;
  while (start < value.length && !isTokenChar(value.charCodeAt(start))) start++;
  // A value with no token character after the prefix keeps what follows it, and fails as a malformed token.
  return start === value.length ? value.slice(from) : value.slice(start);
}

function isTokenChar(code: number): boolean {
  return (
    (code >= 65 && code <= 90) || // A-Z
    (code >= 97 && code <= 122) || // a-z
    (code >= 48 && code <= 57) || // 0-9
    code === 45 || code === 95 || code === 46 // - _ .
  );
}
