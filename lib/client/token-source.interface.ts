/** Something that hands out a bearer token whose `aud` is the given audience (cached by the implementations here). */
export interface TokenSource {
  /** A token for `audience`, from the cache while it is fresh. */
  getToken(audience: string): Promise<string>;
}
