import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from './doc-files.js';

/** The README is a guide: what grows past this belongs in docs/ (reference, guides) or ARCHITECTURE.md. */
const README_MAX_BYTES = 15 * 1000;

describe('the README', () => {
  it(`stays a guide of at most ${README_MAX_BYTES} bytes`, () => {
    expect(statSync(join(ROOT, 'README.md')).size).toBeLessThanOrEqual(README_MAX_BYTES);
  });
});
