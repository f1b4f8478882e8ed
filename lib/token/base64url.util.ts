const ALPHABET = /^[A-Za-z0-9_-]*$/;

/**
 * Decodes base64url strictly: only the URL-safe alphabet, no padding, and canonical trailing bits (Buffer's own
 * decoder accepts all three, so a token would otherwise have several spellings).
 */
export function decodeBase64Url(segment: string): Buffer | undefined {
  if (!ALPHABET.test(segment) || segment.length % 4 === 1) return undefined;
  const bytes = Buffer.from(segment, 'base64url');
  return bytes.toString('base64url') === segment ? bytes : undefined;
}
