/**
 * The sample's logger: a failed key fetch of a definition that still holds the sample's placeholders is logged as
 * expected, while the same failure of a filled-in definition (a real key server that is down) stays a warning.
 */
import type { INestApplication, LogLevel } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { EndpointsAuthModule } from '../../lib/index.js';
import { placeholderDefinitions } from '../../sample/placeholder-definitions.js';
import { PlaceholderLogger } from '../../sample/placeholder-logger.js';
import { ADAPTERS } from '../support/app.js';
import { freePort } from '../support/ports.js';
import { startWith, TempDir } from '../api-config/spec-kit.js';

/** The sample's logger, keeping what it prints instead of writing it. */
class KeptLines extends PlaceholderLogger {
  readonly lines: { level?: LogLevel; context?: string; message: string }[] = [];

  protected override printMessages(messages: unknown[], context?: string, level?: LogLevel): void {
    for (const message of messages) this.lines.push({ level, context, message: String(message) });
  }

  keyLines() {
    return this.lines.filter((line) => line.context === 'EndpointsAuthKeys');
  }
}

describe.each(ADAPTERS)('the sample’s logger on %s', (adapter) => {
  const dir = new TempDir();
  let app: INestApplication;
  let logger: KeptLines;
  let specPath: string;

  beforeAll(async () => {
    // Nothing listens on the port: both definitions' key fetches fail at start-up, at once (connection refused).
    const keys = `http://127.0.0.1:${await freePort()}`;
    const definition = (issuer: string, jwks: string) => ({
      type: 'oauth2',
      flow: 'implicit',
      authorizationUrl: '',
      'x-google-issuer': issuer,
      'x-google-jwks_uri': jwks,
    });
    const spec = {
      swagger: '2.0',
      info: { title: 'Placeholders', version: '1' },
      host: 'api.example.com',
      securityDefinitions: {
        filled_in: definition('https://issuer.example.com', `${keys}/jwks.json`),
        placeholder: definition('https://YOUR-ACCOUNT.auth0.com/', `${keys}/YOUR-ACCOUNT/jwks.json`),
      },
      security: [{ filled_in: [] }, { placeholder: [] }],
      paths: {},
    };
    specPath = dir.write('openapi.json', JSON.stringify(spec));
    logger = new KeptLines(placeholderDefinitions(specPath));
    ({ app } = await startWith({ imports: [EndpointsAuthModule.forRoot(specPath)] }, adapter, logger));
    await vi.waitFor(() => expect(logger.keyLines()).toHaveLength(2), { timeout: 10_000, interval: 20 });
  });
  afterAll(async () => {
    await app?.close();
    dir.remove();
  });

  it('finds the definitions that still hold placeholders, and only those', () => {
    expect(placeholderDefinitions(specPath)).toEqual([{ name: 'placeholder', file: specPath, placeholders: ['YOUR-ACCOUNT'] }]);
  });

  it('logs a placeholder definition’s failed fetch as expected, naming the placeholder and the file', () => {
    const line = logger.keyLines().find((kept) => kept.message.includes('"placeholder"'));
    expect(line).toEqual({
      level: 'log',
      context: 'EndpointsAuthKeys',
      message: expect.stringMatching(/^keys of "placeholder" not fetched \(.*ECONNREFUSED.*\): expected while it holds YOUR-ACCOUNT of /),
    });
    expect(line!.message.endsWith(specPath)).toBe(true);
  });

  it('keeps the library’s warning for a filled-in definition whose key server cannot be reached', () => {
    const line = logger.keyLines().find((kept) => kept.message.includes('"filled_in"'));
    expect(line).toEqual({
      level: 'warn',
      context: 'EndpointsAuthKeys',
      message: expect.stringMatching(/^keys of "filled_in" could not be fetched: .*ECONNREFUSED.*; requests get 401 until keys arrive/),
    });
  });
});
