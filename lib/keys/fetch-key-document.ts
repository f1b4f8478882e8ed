/** The largest key document read; larger bodies fail the fetch (ESP's documents are a few KiB). */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * Fetches a key document as JSON within a hard deadline that covers the headers and the whole body (a socket idle
 * timeout alone lets a server that trickles bytes hold a fetch forever). Only a 200 counts (Envoy `jwks_fetcher`);
 * redirects are not followed, so keys never come from another origin; the body is capped.
 */
export async function fetchKeyDocument(url: string, timeoutMs: number): Promise<unknown> {
  const signal = AbortSignal.timeout(timeoutMs);
  try {
    const response = await fetch(url, { signal, redirect: 'manual', headers: { accept: 'application/json' } });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    return JSON.parse(await readCapped(response));
  } catch (error) {
    if (signal.aborted) throw new Error(`no complete answer within ${timeoutMs} ms`);
    throw error;
  }
}

async function readCapped(response: Response): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_BODY_BYTES) {
    await response.body?.cancel();
    throw new Error(`body of ${declared} bytes is over ${MAX_BODY_BYTES}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > MAX_BODY_BYTES) throw new Error(`body is over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
