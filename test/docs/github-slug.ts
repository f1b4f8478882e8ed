/**
 * The anchors GitHub gives a page's headings (the rules of its `github-slugger`): the heading's rendered text in lower
 * case, every character removed that is not a letter, mark, digit, `_`, `-` or space, then each space made `-`; a
 * repeated slug gets `-1`, `-2`, … in page order.
 */

/** The slug of one heading's text, before duplicates are numbered. */
export function githubSlug(headingText: string): string {
  return renderedText(headingText)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** The anchors of a page's headings, in order, duplicates numbered as GitHub numbers them. */
export function githubAnchors(headingTexts: readonly string[]): string[] {
  const seen = new Map<string, number>();
  return headingTexts.map((text) => {
    const base = githubSlug(text);
    let slug = base;
    // As github-slugger: bump the base's counter until the numbered slug is free (a heading may already be `x-1`).
    while (seen.has(slug)) {
      const count = seen.get(base)! + 1;
      seen.set(base, count);
      slug = `${base}-${count}`;
    }
    seen.set(slug, 0);
    return slug;
  });
}

/** The text a heading renders to: links and images as their text, HTML tags and emphasis markers dropped. */
function renderedText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/!?\[([^\]]*)\]\[[^\]]*\]/g, '$1')
    .replace(/<[^>]+>/g, '')
    // `_word_` emphasis loses its underscores; an underscore inside a word (`auth0_jwk`) stays.
    .replace(/(^|[^\p{L}\p{N}_])_+([^_]+?)_+(?=$|[^\p{L}\p{N}_])/gu, '$1$2')
    .trim();
}
