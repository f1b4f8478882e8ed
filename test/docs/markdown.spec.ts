import { describe, expect, it } from 'vitest';
import { codeBlocks, headings } from './markdown.js';

describe('reading Markdown', () => {
  it('finds fenced blocks with the page line of their first code line, list indentation removed, longer fences whole', () => {
    const page = [
      '# Title', //                                   1
      '```ts', //                                     2
      'const a = 1;', //                              3
      '```', //                                       4
      '1. a step', //                                 5
      '', //                                          6
      '   ```typescript', //                          7
      '   const b = 2;', //                           8
      '     const c = 3;', //                         9
      '   ```', //                                   10
      '````md', //                                   11
      '```ts', //                                    12
      'not a block of its own', //                   13
      '```', //                                      14
      '````', //                                     15
      '~~~yaml', //                                  16
      '# not a heading', //                          17
      '~~~', //                                      18
      '```', //                                      19
      'no language', //                              20
      '```', //                                      21
    ].join('\n');
    expect(codeBlocks(page)).toEqual([
      { lang: 'ts', line: 3, code: 'const a = 1;' },
      { lang: 'typescript', line: 8, code: 'const b = 2;\n  const c = 3;' },
      { lang: 'md', line: 12, code: '```ts\nnot a block of its own\n```' },
      { lang: 'yaml', line: 17, code: '# not a heading' },
      { lang: '', line: 20, code: 'no language' },
    ]);
    expect(headings(page)).toEqual([{ level: 1, text: 'Title', line: 1 }]);
  });

  it('reads ATX headings with closing hashes and setext headings, not a rule under a list or a table', () => {
    const page = ['## Closed ##', 'Setext one', '==========', '', '- item', '---', '| a |', '|---|', 'Two', '---'].join('\n');
    expect(headings(page)).toEqual([
      { level: 2, text: 'Closed', line: 1 },
      { level: 1, text: 'Setext one', line: 2 },
      { level: 2, text: 'Two', line: 9 },
    ]);
  });
});
