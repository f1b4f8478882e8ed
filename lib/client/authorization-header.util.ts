import type { AuthorizationHeader } from './authorization-header.js';

/** Each header's usual spelling, for clients (axios) that keep the case they are given. */
export const HEADER_SPELLING: Readonly<Record<AuthorizationHeader, string>> = {
  authorization: 'Authorization',
  'x-serverless-authorization': 'X-Serverless-Authorization',
};

/**
 * The header to send the token in (`'authorization'` when none is given); throws a clear error, prefixed with
 * `where`, for any other value. Only something shaped like a header name is quoted: a token passed here by mistake
 * must not end up in an error message or a log.
 */
export function checkAuthorizationHeader(header: unknown, where: string): AuthorizationHeader {
  if (header === undefined) return 'authorization';
  if (typeof header === 'string' && Object.hasOwn(HEADER_SPELLING, header)) return header as AuthorizationHeader;
  let got = header === null ? 'null' : typeof header;
  if (typeof header === 'string') got = /^[A-Za-z0-9-]{1,64}$/.test(header) ? `"${header}"` : 'a string that is not a header name';
  throw new Error(`${where}: header must be "authorization" or "x-serverless-authorization" (lower case), got ${got}`);
}
