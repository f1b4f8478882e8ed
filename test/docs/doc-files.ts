import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root, where README.md lives. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Every `.md` file under `folder` (relative to the root), at any depth, sorted. */
function markdownUnder(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.md'))
    .map((name) => relative(ROOT, join(ROOT, folder, name)))
    .sort();
}

/** The user docs, whose TypeScript blocks must compile: README.md and every page under docs/. */
export function userDocs(): string[] {
  return ['README.md', ...markdownUnder('docs')];
}

/** Every doc whose links must resolve: the user docs and the root's other pages (ARCHITECTURE.md, SECURITY.md, …). */
export function allDocs(): string[] {
  const rootPages = readdirSync(ROOT, { encoding: 'utf8' }).filter((name) => name.endsWith('.md') && name !== 'README.md');
  return [...userDocs(), ...rootPages.sort()];
}
