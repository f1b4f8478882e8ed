/**
 * The 1-based line where `text` stops being JSON. V8 gives a position for some errors only, so the first bad
 * character is found by bisecting prefixes: a prefix that fails only with "Unexpected end" is still a valid start.
 */
export function jsonErrorLine(text: string, message: string): number {
  const position = /position (\d+)/.exec(message);
  if (position) return lineAt(text, Number(position[1]));
  if (!isBroken(text)) return lineAt(text, text.length); // cut short: the problem is at the end
  let valid = 0;
  let broken = text.length;
  while (broken - valid > 1) {
    const middle = (valid + broken) >>> 1;
    if (isBroken(text.slice(0, middle))) broken = middle;
    else valid = middle;
  }
  return lineAt(text, broken - 1);
}

function isBroken(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (error) {
    const message = (error as Error).message;
    // V8 words running out of input two ways: "Unexpected end", or an error at the position just past the end.
    const position = /position (\d+)/.exec(message);
    return !/Unexpected end of JSON input/.test(message) && !(position && Number(position[1]) >= prefix.length);
  }
}

function lineAt(text: string, offset: number): number {
  return text.slice(0, offset).split('\n').length;
}
