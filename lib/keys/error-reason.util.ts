/**
 * A failure in words for a log line or an error: the error's message (or jwks-rsa's `errorMsg`), and the network code
 * when `fetch()` hides it on its cause ("fetch failed (ENOTFOUND)").
 */
export function errorReason(error: unknown): string {
  const message = error instanceof Error ? error.message : String((error as { errorMsg?: unknown })?.errorMsg ?? error);
  const code = (error as { cause?: { code?: unknown } } | undefined)?.cause?.code;
  return typeof code === 'string' ? `${message} (${code})` : message;
}
