import { UsageError } from './usage-error.js';

/** More than any token the module would read (16 KiB by default), small enough never to fill memory. */
const MAX_INPUT_BYTES = 1024 * 1024;

/**
 * The token piped on stdin: surrounding whitespace and an `Authorization` value's `Bearer ` prefix are dropped, so
 * a copied header works too. Nothing on stdin is a `UsageError`.
 */
export async function readToken(stdin: NodeJS.ReadableStream & { isTTY?: boolean }, hint: (text: string) => void): Promise<string> {
  if (stdin.isTTY) hint('Paste the token, then press Enter and Ctrl-D.\n');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > MAX_INPUT_BYTES) throw new UsageError(`stdin holds more than ${MAX_INPUT_BYTES} bytes; expected one token`);
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  const token = text.startsWith('Bearer ') ? text.slice('Bearer '.length).trim() : text;
  if (token === '') throw new UsageError('no token on stdin: pipe one in, e.g. endpoints-auth verify --spec openapi.yaml < token.txt');
  return token;
}
