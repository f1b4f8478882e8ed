/** A key URL fit for a span attribute: scheme, host and path; credentials and the query (which may hold an API key) never. */
export function spanUrl(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname}`;
  } catch {
    return '(unparsable URL)';
  }
}
