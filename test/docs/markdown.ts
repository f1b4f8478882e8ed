/**
 * The few parts of a Markdown page the docs tests read: fenced code blocks, headings and link targets, each with the
 * line it starts on. A line scanner following CommonMark where the docs need it, not a full Markdown parser.
 */

/** A fenced code block: its info string's language, the line of its first code line, its code. */
export interface CodeBlock {
  lang: string;
  /** 1-based line number, in the page, of the block's first code line. */
  line: number;
  code: string;
}

/** A heading: its level, its text as written (inline Markdown included) and its line. */
export interface Heading {
  level: number;
  text: string;
  line: number;
}

/** A link or image target as written (`docs/x.md#anchor`, `#anchor`, `https://…`) and its line. */
export interface LinkTarget {
  target: string;
  line: number;
}

/** A line of the page outside code: its number and text, with fenced blocks left out. */
interface ProseLine {
  line: number;
  text: string;
}

const FENCE_OPEN = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)[^`]*$/;

/** Splits a page into its fenced code blocks and the prose lines around them. */
function scan(markdown: string): { blocks: CodeBlock[]; prose: ProseLine[] } {
  const lines = markdown.split(/\r?\n/);
  const blocks: CodeBlock[] = [];
  const prose: ProseLine[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE_OPEN.exec(lines[i]!);
    if (!open) {
      prose.push({ line: i + 1, text: lines[i]! });
      continue;
    }
    const [, indent, fence, lang] = open as unknown as [string, string, string, string];
    // A closing fence is the same character, at least as long, and nothing after it (CommonMark).
    const close = new RegExp(`^\\s*${fence[0]}{${fence.length},}\\s*$`);
    const code: string[] = [];
    let j = i + 1;
    for (; j < lines.length && !close.test(lines[j]!); j++) {
      // A fence indented inside a list item: its code lines lose up to that much indentation.
      code.push(lines[j]!.replace(new RegExp(`^ {0,${indent.length}}`), ''));
    }
    blocks.push({ lang: lang.toLowerCase(), line: i + 2, code: code.join('\n') });
    i = j;
  }
  return { blocks, prose };
}

/** Every fenced code block of the page, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  return scan(markdown).blocks;
}

/** Every ATX (`## Title`) and setext (`Title` over `===` / `---`) heading outside code, in order. */
export function headings(markdown: string): Heading[] {
  const { prose } = scan(markdown);
  const found: Heading[] = [];
  for (const [index, { line, text }] of prose.entries()) {
    const atx = /^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$/.exec(text);
    if (atx) {
      found.push({ level: atx[1]!.length, text: atx[2] ?? '', line });
      continue;
    }
    const underline = /^ {0,3}(=+|-+)[ \t]*$/.exec(text);
    const previous = prose[index - 1];
    // Only a plain paragraph line directly above (not a list item, quote, table row or blank) makes a setext heading.
    const paragraph = previous?.line === line - 1 && /^ {0,3}[^\s\-*+>|#]/.test(previous.text) && !/^ {0,3}\d+[.)]\s/.test(previous.text);
    if (underline && previous && paragraph) {
      found.push({ level: underline[1]!.startsWith('=') ? 1 : 2, text: previous.text.trim(), line: previous.line });
    }
  }
  return found;
}

/** Anchors set by hand with `<a name="…">` or `id="…"` in the page's HTML. */
export function htmlAnchors(markdown: string): string[] {
  return [...withoutCodeSpans(scan(markdown).prose.map((p) => p.text).join('\n')).matchAll(/<[a-z][^>]*\s(?:name|id)="([^"]+)"/gi)].map(
    (match) => match[1]!,
  );
}

/** Every link and image target outside code: inline `[text](target)`, reference definitions and HTML `href`/`src`. */
export function linkTargets(markdown: string): LinkTarget[] {
  const targets: LinkTarget[] = [];
  for (const { line, text } of scan(markdown).prose) {
    const plain = withoutCodeSpans(text);
    // `](target)` or `](<target with spaces>)`, with an optional "title".
    for (const match of plain.matchAll(/\]\(\s*(?:<([^>]*)>|([^\s)]+))(?:\s+(?:"[^"]*"|'[^']*'))?\s*\)/g)) {
      targets.push({ target: (match[1] ?? match[2])!, line });
    }
    const definition = /^ {0,3}\[[^\]]+\]:\s*(?:<([^>]*)>|(\S+))/.exec(plain);
    if (definition) targets.push({ target: (definition[1] ?? definition[2])!, line });
    for (const match of plain.matchAll(/<[a-z][^>]*\s(?:href|src)="([^"]+)"/gi)) targets.push({ target: match[1]!, line });
  }
  return targets;
}

/** The text with inline code spans blanked, so a link written inside backticks is not read as one. */
function withoutCodeSpans(text: string): string {
  return text.replace(/(`+)[^`]*?\1/g, (span) => ' '.repeat(span.length));
}
