/**
 * Decodes base64url strictly: only the URL-safe alphabet, no padding, and canonical trailing bits. Buffer's own
 * decoder accepts all three (and skips stray characters), so the bytes are encoded again and must give back the
 * segment exactly: a token has one spelling, and no separate alphabet scan is needed.
 */
export function decodeBase64Url(segment: string): Buffer | undefined {
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}
