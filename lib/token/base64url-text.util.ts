import { isUtf8 } from 'node:buffer';
import { withoutPadding } from './base64url.util.js';

/** What `decodeBase64UrlText` answers for a segment that is not strict base64url. */
export const NOT_BASE64URL = Symbol('not base64url');
/** What `decodeBase64UrlText` answers for bytes that are not strict UTF-8. */
export const NOT_UTF8 = Symbol('not UTF-8');

// The bytes of the segment being read: text is all a caller gets, so one buffer serves every call (they are
// synchronous), where a Buffer per segment cost an object and a share of the pool, refilled every few tokens.
let scratch = Buffer.allocUnsafeSlow(4096);
/** The largest buffer kept between calls: a bigger segment (`maxTokenBytes` raised) gets a buffer of its own. */
const KEPT_BYTES = 64 * 1024;

/**
 * The UTF-8 text a base64url segment encodes, with `decodeBase64Url`'s strictness and the strictness of a fatal
 * `TextDecoder` that keeps a byte-order mark (so JSON.parse refuses it): overlong forms, surrogates, code points past
 * U+10FFFF and truncated sequences are refused.
 */
export function decodeBase64UrlText(segment: string): string | typeof NOT_BASE64URL | typeof NOT_UTF8 {
  const unpadded = withoutPadding(segment);
  if (unpadded === undefined) return NOT_BASE64URL;
  // Four characters give at most three bytes; the decoder writes no more than that.
  const capacity = (unpadded.length * 3) >> 2;
  if (scratch.length < capacity && capacity <= KEPT_BYTES) scratch = Buffer.allocUnsafeSlow(capacity);
  // One oversized token must not pin its size for the life of the process.
  const bytes = scratch.length < capacity ? Buffer.allocUnsafe(capacity) : scratch;
  const length = bytes.write(unpadded, 0, capacity, 'base64url');
  if (bytes.toString('base64url', 0, length) !== unpadded) return NOT_BASE64URL;
  // The lenient decoder (which keeps a BOM) puts U+FFFD in place of every invalid sequence: text without one was valid
  // UTF-8, and only text with one (legitimately spelled or not) needs the strict check, on a view of exactly its bytes.
  const text = bytes.toString('utf8', 0, length);
  return text.includes('\uFFFD') && !isUtf8(bytes.subarray(0, length)) ? NOT_UTF8 : text;
}
