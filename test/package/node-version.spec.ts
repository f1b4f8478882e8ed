import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkNodeVersion } from '../../lib/node-version.js';

/**
 * The start-up check mirrors package.json `engines` (`^20.19.0 || ^22.12.0 || >=24.0.0`, pinned by manifest.spec.ts):
 * the Node versions whose require(esm) is on by default, which jwks-rsa needs to load jose 6.
 */

const MESSAGE = 'nestjs-endpoints-auth needs Node 20.19+, 22.12+ or 24+; this is';

describe('checkNodeVersion', () => {
  it.each(['20.19.0', '20.20.2', '22.12.0', '22.21.1', '24.0.0', '24.11.1', '25.2.0', '26.0.0', '24.0.0-nightly20250101abcdef'])(
    'accepts %s',
    (version) => {
      expect(() => checkNodeVersion(version)).not.toThrow();
    },
  );

  it('names the supported versions and the running one', () => {
    expect(() => checkNodeVersion('20.18.0')).toThrow(new Error(`${MESSAGE} 20.18.0`));
  });

  it.each(['18.20.8', '19.9.0', '20.0.0', '20.18.3', '21.7.3', '22.0.0', '22.11.0', '23.11.1', '23.0.0'])('refuses %s', (version) => {
    expect(() => checkNodeVersion(version)).toThrow(new Error(`${MESSAGE} ${version}`));
  });

  it.each(['', 'abc', '22', '22.12', 'node 24.0.0'])('refuses a version it cannot read (%j), quoting it', (version) => {
    expect(() => checkNodeVersion(version)).toThrow(new Error(`${MESSAGE} ${JSON.stringify(version)}`));
  });

  it('lets the running Node, on which these tests run, load the library', () => {
    expect(() => checkNodeVersion(process.versions.node)).not.toThrow();
  });
});

describe('the entry points', () => {
  // ES modules evaluate their imports depth-first in source order: the check must be the first module request, or
  // a module loading jwks-rsa runs before it (and fails on Node 20.18 with ERR_REQUIRE_ESM instead of the message).
  // The matrix (.ci/matrix.sh) runs the built package on a real Node 20.18.
  it.each([
    ['lib/index.ts', './node-version.js'],
    ['lib/cli/main.ts', '../node-version.js'],
  ])('%s imports the check before anything else', (file, specifier) => {
    const source = readFileSync(fileURLToPath(new URL(`../../${file}`, import.meta.url)), 'utf8');
    const firstRequest = /^(?:import|export)\b[^;]*?['"]([^'"]+)['"]/m.exec(source)?.[1];
    expect(firstRequest).toBe(specifier);
  });
});
