import { describe, expect, it } from 'vitest';
import { resolveOptions } from '../../lib/options/resolve-options.js';
import type { EndpointsAuthOptions } from '../../lib/index.js';

describe('the tracing option', () => {
  it('is on by default, and takes true or false', () => {
    expect(resolveOptions({ spec: {} }, {}).tracing).toBe(true);
    expect(resolveOptions({ spec: {}, tracing: false }, {}).tracing).toBe(false);
    expect(resolveOptions({ spec: {}, tracing: true }, {}).tracing).toBe(true);
  });

  it('refuses anything else with a clear error (a string "false" must not leave it on unseen)', () => {
    expect(() => resolveOptions({ spec: {}, tracing: 'false' } as unknown as EndpointsAuthOptions, {})).toThrow('"tracing" must be true or false');
  });
});
