import { describe, expect, it } from 'vitest';
import { brokenLinks } from './check-links.js';
import { allDocs, ROOT } from './doc-files.js';
import { githubAnchors, githubSlug } from './github-slug.js';

describe('the links of the docs', () => {
  it('resolve: every relative link names an existing file, every #anchor a heading of its page', () => {
    const docs = allDocs();
    expect(docs).toEqual(expect.arrayContaining(['README.md', 'ARCHITECTURE.md', 'CONTRIBUTING.md', 'SECURITY.md', 'docs/routing.md']));
    expect(docs.flatMap((doc) => brokenLinks(ROOT, doc))).toEqual([]);
  });

  it('are checked: a missing file, a missing anchor and a link out of the repository are reported with their line', () => {
    const pages: Record<string, string> = {
      'docs/a.md': [
        '# A page',
        'See [b](b.md#second-part), [self](#a-page), [gone](missing.md) and [bad](b.md#no-such-part).',
        '```md',
        '[in code](nowhere.md) is not a link',
        '```',
        '[out](../../etc/passwd), [web](https://example.com/x.md#y), `[span](nowhere.md)`',
        '[def]: b.md#first',
      ].join('\n'),
      'docs/b.md': '# First\n\n## Second part\n',
    };
    expect(brokenLinks('/repo', 'docs/a.md', (path) => pages[path])).toEqual([
      'docs/a.md:2: "missing.md": docs/missing.md does not exist',
      'docs/a.md:2: "b.md#no-such-part": no heading of docs/b.md has the anchor #no-such-part (it has: #first, #second-part)',
      'docs/a.md:6: "../../etc/passwd" points outside the repository',
    ]);
  });
});

describe('GitHub heading anchors', () => {
  it('lower-case the text, drop punctuation but `-` and `_`, and make spaces `-`', () => {
    expect(githubSlug('Cloud Run’s IAM and your own token')).toBe('cloud-runs-iam-and-your-own-token');
    expect(githubSlug("Cloud Run's IAM and your own token")).toBe('cloud-runs-iam-and-your-own-token');
    expect(githubSlug('1. The service is open to callers, and the library verifies (what ESP did)')).toBe(
      '1-the-service-is-open-to-callers-and-the-library-verifies-what-esp-did',
    );
    expect(githubSlug('Reference: what the spec may contain, options, errors')).toBe('reference-what-the-spec-may-contain-options-errors');
    expect(githubSlug('The `auth0_jwk` definition -- and [its keys](x.md)')).toBe('the-auth0_jwk-definition----and-its-keys');
    expect(githubSlug('Migrating from ESP / ESPv2 on Cloud Run')).toBe('migrating-from-esp--espv2-on-cloud-run');
    expect(githubSlug('Ünïcode stays, emoji 🚀 goes')).toBe('ünïcode-stays-emoji--goes');
  });

  it('number repeated headings -1, -2 in page order, skipping a slug a heading already has', () => {
    expect(githubAnchors(['Usage', 'Usage', 'Usage-1', 'Usage'])).toEqual(['usage', 'usage-1', 'usage-1-1', 'usage-2']);
  });
});
