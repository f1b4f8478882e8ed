import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { compileBlocks, type DocBlock } from './compile-blocks.js';
import { ROOT, userDocs } from './doc-files.js';
import { codeBlocks } from './markdown.js';

/** Every ```ts / ```typescript block of README.md and docs/ (new pages included). */
function typescriptBlocks(): DocBlock[] {
  return userDocs().flatMap((doc) =>
    codeBlocks(readFileSync(join(ROOT, doc), 'utf8'))
      .filter((block) => block.lang === 'ts' || block.lang === 'typescript')
      .map((block) => ({ doc, line: block.line, code: block.code })),
  );
}

/**
 * Blocks compiled in the same program as the docs' to show the check can fail: what a stale doc would hold (a renamed
 * export, a wrong option, a wrong type), and what must not fail (two blocks declaring the same name, a block importing
 * a name the prelude also gives).
 */
const CANARY = '(canary)';
const CANARIES: DocBlock[] = [
  { doc: CANARY, line: 1, code: "import { EndpointsAuthModul } from 'nestjs-endpoints-auth';" },
  { doc: CANARY, line: 2, code: "EndpointsAuthModule.forRoot({ spec: 'openapi.yaml', clockSkew: 30 });" },
  { doc: CANARY, line: 30, code: "@Controller()\n@Securd('firebase')\nexport class C {}" },
  { doc: CANARY, line: 4, code: 'const claims: JwtClaims = 42;' },
  { doc: CANARY, line: 5, code: "const source = new ServiceAccountTokenSource('key.json');" },
  {
    doc: CANARY,
    line: 6,
    code: "const source = new MetadataServerTokenSource();\nimport { Module } from '@nestjs/common';\n@Module({}) export class M {}",
  },
];

describe('the TypeScript blocks of the docs', () => {
  let messages: string[];
  beforeAll(() => {
    messages = compileBlocks([...typescriptBlocks(), ...CANARIES]);
  });

  it('compile against the public API, each as a module of a user’s app (prelude: test/docs/prelude.ts)', () => {
    expect(typescriptBlocks().length).toBeGreaterThan(10);
    expect(messages.filter((message) => !message.startsWith(CANARY))).toEqual([]);
  });

  it('fail on a renamed export, a wrong option or a wrong type, naming the line; separate blocks do not clash', () => {
    expect(messages.filter((message) => message.startsWith(CANARY))).toEqual([
      `${CANARY}:1: '"nestjs-endpoints-auth"' has no exported member named 'EndpointsAuthModul'. Did you mean 'EndpointsAuthModule'?`,
      expect.stringMatching(/^\(canary\):2: Object literal may only specify known properties, and 'clockSkew' does not exist/),
      `${CANARY}:31: Cannot find name 'Securd'. Did you mean 'Secured'?`,
      `${CANARY}:4: Type 'number' is not assignable to type 'JwtClaims'.`,
    ]);
  });
});
