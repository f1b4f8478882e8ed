/**
 * Freezes a decoded JSON value and everything in it. Verified claims may be served from the validated-token cache to
 * many requests, so no handler may change what another request sees.
 */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const member of Object.values(value)) deepFreeze(member);
  }
  return value;
}
