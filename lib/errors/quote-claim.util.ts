/** The most characters of a claim a reason quotes: enough to recognise an issuer, a kid or an audience. */
const MAX_QUOTED_CHARS = 100;

/**
 * A claim or header value the token's sender chose, as a reason quotes it: JSON-escaped, so a newline or a terminal
 * escape cannot forge or hide a log line, and cut after `MAX_QUOTED_CHARS` characters, so a refusal's log line stays
 * short whatever the (unverified) token holds.
 */
export function quoteClaim(value: unknown): string {
  const json = JSON.stringify(value) ?? String(value);
  if (json.length <= MAX_QUOTED_CHARS) return json;
  return `${json.slice(0, MAX_QUOTED_CHARS)}… (${json.length} characters)`;
}
