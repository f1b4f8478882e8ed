import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { githubAnchors } from './github-slug.js';
import { headings, htmlAnchors, linkTargets } from './markdown.js';

/** A target with a scheme (`https:`, `mailto:`, …) or protocol-relative: not a file of this repository, not checked. */
const EXTERNAL = /^(?:[a-z][a-z\d+.-]*:|\/\/)/i;

/**
 * The broken relative links of one page, `<doc>:<line>: <problem>`: a target file that does not exist, or an anchor
 * that no heading of the target Markdown page (or the page itself, for `#anchor`) gets under GitHub's slug rules.
 * `read` gives a page's text by its path relative to `root` (so a test can check a page that is not on disk).
 */
export function brokenLinks(root: string, doc: string, read: (path: string) => string | undefined = readFrom(root)): string[] {
  const text = read(doc);
  if (text === undefined) return [`${doc}: no such file`];
  const problems: string[] = [];
  for (const { target, line } of linkTargets(text)) {
    if (EXTERNAL.test(target)) continue;
    const hash = target.indexOf('#');
    const pathPart = decodeURIComponent(hash === -1 ? target : target.slice(0, hash));
    const anchor = hash === -1 ? undefined : decodeURIComponent(target.slice(hash + 1));
    // `/x` is relative to the repository root on GitHub; `x` to the page's folder.
    const path = pathPart === '' ? doc : pathPart.startsWith('/') ? pathPart.slice(1) : relative(root, join(root, dirname(doc), pathPart));
    if (path.startsWith('..')) {
      problems.push(`${doc}:${line}: "${target}" points outside the repository`);
      continue;
    }
    const page = path === doc ? text : read(path);
    if (page === undefined) {
      problems.push(`${doc}:${line}: "${target}": ${path} does not exist`);
      continue;
    }
    if (anchor === undefined || anchor === '') continue;
    if (!path.endsWith('.md')) {
      // GitHub's line anchors (#L10, #L10-L20) on a source file.
      if (/^L\d+(?:-L\d+)?$/.test(anchor) && Math.max(...anchor.slice(1).split('-L').map(Number)) <= page.split('\n').length) continue;
      problems.push(`${doc}:${line}: "${target}": ${path} is not a Markdown page with headings, and #${anchor} is not a line of it`);
      continue;
    }
    const anchors = [...githubAnchors(headings(page).map((heading) => heading.text)), ...htmlAnchors(page)];
    if (!anchors.includes(anchor)) {
      const known = anchors.map((a) => `#${a}`).join(', ');
      problems.push(`${doc}:${line}: "${target}": no heading of ${path} has the anchor #${anchor} (it has: ${known})`);
    }
  }
  return problems;
}

/** Reads a page under `root`; a directory reads as empty (a link to a folder is fine), a missing path as undefined. */
function readFrom(root: string): (path: string) => string | undefined {
  return (path) => {
    const full = join(root, path);
    if (!existsSync(full)) return undefined;
    return statSync(full).isDirectory() ? '' : readFileSync(full, 'utf8');
  };
}
