/**
 * Decodes base64url strictly: only the URL-safe alphabet, canonical trailing bits, and padding either absent or
 * exactly the `=` count the length needs, at the end (what absl's `WebSafeBase64Unescape` in ESPv2 accepts, and what
 * google-auth for Python before 2.0 writes). Buffer's own decoder accepts any padding, the standard alphabet and stray
 * characters, so the bytes are encoded again and must give back the unpadded segment exactly: native encoding and a
 * string compare cost less than any scan of the segment in JavaScript (docs/performance.md).
 */
export function decodeBase64Url(segment: string): Buffer | undefined {
  const unpadded = withoutPadding(segment);
  if (unpadded === undefined) return undefined;
  const bytes = Buffer.from(unpadded, 'base64url');
  return bytes.toString('base64url') === unpadded ? bytes : undefined;
}

/**
 * The segment without its padding, or `undefined` when the padding is wrong. The common, unpadded segment is returned
 * as it is, with no copy (char code 61 is `=`).
 */
export function withoutPadding(segment: string): string | undefined {
  if (segment.charCodeAt(segment.length - 1) !== 61) return segment;
  const unpadded = segment.charCodeAt(segment.length - 2) === 61 ? segment.slice(0, -2) : segment.slice(0, -1);
  // One `=` completes a length of 3 (mod 4), two complete 2; any other count, or padding on a full quad, is wrong.
  if ((unpadded.length + (segment.length - unpadded.length)) % 4 !== 0 || unpadded.length % 4 === 0) return undefined;
  return unpadded;
}
