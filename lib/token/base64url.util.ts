/**
 * Decodes base64url strictly: only the URL-safe alphabet, canonical trailing bits, and padding either absent or
 * exactly the `=` count the length needs, at the end (what absl's `WebSafeBase64Unescape` in ESPv2 accepts, and what
 * google-auth for Python before 2.0 writes). Buffer's own decoder accepts any padding, the standard alphabet and stray
 * characters, so the bytes are encoded again and must give back the unpadded segment exactly: no alphabet scan needed.
 */
export function decodeBase64Url(segment: string): Buffer | undefined {
  // charCodeAt 61 is `=`: the common, unpadded segment takes the fast path with no copy.
  if (segment.charCodeAt(segment.length - 1) === 61) return decodePadded(segment);
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}

function decodePadded(segment: string): Buffer | undefined {
  const unpadded = segment.charCodeAt(segment.length - 2) === 61 ? segment.slice(0, -2) : segment.slice(0, -1);
  // One `=` completes a length of 3 (mod 4), two complete 2; any other count, or padding on a full quad, is wrong.
  if ((unpadded.length + (segment.length - unpadded.length)) % 4 !== 0 || unpadded.length % 4 === 0) return undefined;
  const bytes = Buffer.from(unpadded, 'base64url');
  return bytes.toString('base64url') === unpadded ? bytes : undefined;
}
