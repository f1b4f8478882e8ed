import { UsageError } from './usage-error.js';

/**
 * The claims of repeated `--claim name=value` options: a value that parses as JSON (`true`, `42`, `["a"]`,
 * `{"k":1}`, `null`) is that JSON, anything else the string as written (`email=a@b.c`). A name given twice, an empty
 * name or an entry without `=` is a `UsageError` (the value is never quoted back).
 */
export function parseClaims(entries: readonly string[]): Record<string, unknown> {
  const claims = new Map<string, unknown>();
  for (const entry of entries) {
    const equals = entry.indexOf('=');
    if (equals < 0) throw new UsageError('--claim takes name=value (e.g. --claim email=a@b.c); an entry has no "="');
    const name = entry.slice(0, equals);
    if (name.trim() === '') throw new UsageError('--claim takes name=value; an entry has an empty name');
    if (claims.has(name)) throw new UsageError(`--claim "${quoteName(name)}" is given twice`);
    claims.set(name, valueOf(entry.slice(equals + 1)));
  }
  // fromEntries defines each name as an own property, so a claim named __proto__ stays a claim (as a real token's would).
  return Object.fromEntries(claims);
}

function valueOf(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A claim name fit for a message: at most 64 printable characters. */
function quoteName(name: string): string {
  const printable = name.replace(/[^\x20-\x7e]/g, '?');
  return printable.length > 64 ? `${printable.slice(0, 64)}…` : printable;
}
