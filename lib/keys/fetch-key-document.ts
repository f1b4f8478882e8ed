import { readCappedBody } from './read-capped-body.util.js';

/**
 * Fetches a key document as JSON within a hard deadline that covers the headers and the whole body (a socket idle
 * timeout alone lets a server that trickles bytes hold a fetch forever). Only a 200 counts (Envoy `jwks_fetcher`);
 * redirects are not followed, so keys never come from another origin; the body is capped at `maxBodyBytes`.
 */
export async function fetchKeyDocument(url: string, timeoutMs: number, maxBodyBytes: number): Promise<unknown> {
  checkFetchable(url);
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { signal, redirect: 'manual', headers: { accept: 'application/json' } });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    const text = await readCappedBody(response, maxBodyBytes);
    try {
      return JSON.parse(text);
    } catch {
      // V8's message quotes the body, which has no place in a log line.
      throw new Error('the body is not JSON');
    }
  } catch (error) {
    if (signal.aborted) throw new Error(`no complete answer within ${timeoutMs} ms`);
    throw error;
  }
}

/**
 * fetch() refuses a malformed URL or one with credentials with an error that quotes the URL whole, password included,
 * which would reach the log line and the span: such a URL is refused here in words that do not quote it.
 */
function checkFetchable(url: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error('the key URL cannot be parsed');
  }
  if (parsed.username !== '' || parsed.password !== '') throw new Error('the URL holds credentials (user:password@), which fetch() never sends');
}
