/** A cookie name as RFC 6265 §4.1.1 allows it (an HTTP token): a name with any other character is never matched. */
const COOKIE_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

/** Whether `name` can name a cookie a browser sends. */
export function isCookieName(name: string): boolean {
  return COOKIE_NAME.test(name);
}
