/**
 * The request header a caller's token goes in: `authorization` (ESP and this library read it), or
 * `x-serverless-authorization`, which Cloud Run's IAM invoker check reads first, leaving `Authorization` to the app.
 */
export type AuthorizationHeader = 'authorization' | 'x-serverless-authorization';

/** Where a caller's token is sent. */
export interface AuthorizationHeaderOptions {
  /**
   * The header that carries `Bearer <token>`; `'authorization'` by default. With `'x-serverless-authorization'` an
   * `Authorization` the caller set is left as it is (the app's own token), and no `Authorization` is added.
   */
  header?: AuthorizationHeader;
}

/** The one entry (`{ [header]: 'Bearer <token>' }`) a token is sent as: the header named, and no other. */
export type AuthorizationEntry<H extends AuthorizationHeader = AuthorizationHeader> = { [K in H]: { [P in K]: string } }[H];
