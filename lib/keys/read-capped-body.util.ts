/** A body larger than the reader allows: a property of the answer, not a network fault, so never worth a retry. */
export class BodyTooLargeError extends Error {}

/**
 * Reads a response body as UTF-8 text, refusing it once it passes `maxBodyBytes` (a declared `content-length` is
 * refused before a byte is read); a server cannot make the library hold more than that in memory.
 */
export async function readCappedBody(response: Response, maxBodyBytes: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > maxBodyBytes) {
    await response.body?.cancel();
    throw new BodyTooLargeError(`body of ${declared} bytes is over ${maxBodyBytes}`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body ?? []) {
    size += chunk.byteLength;
    if (size > maxBodyBytes) throw new BodyTooLargeError(`body is over ${maxBodyBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
