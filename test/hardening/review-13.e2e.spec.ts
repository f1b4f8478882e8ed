/**
 * Review of issue 13's changes, as an attacker. Findings, each fixed:
 * 1. The refusal log (on by default: Nest's console logger enables `debug`) quoted the unverified `iss` and the
 *    header's `kid` as sent: a newline forged a log line, a terminal escape reached the console, and the line was as
 *    long as the token (another JWT in `iss` was logged whole). What the sender chose is now quoted escaped and short.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type AdapterName, ADAPTERS, Apps, bearer, call } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { claims, makeKey, signJwt } from '../support/keys.js';
import { bootApp } from '../verification/verification-kit.js';
import type { LoggerService } from '@nestjs/common';

const ISSUER = 'https://review13.example.com';
const key = makeKey('ES256', 'review13-1');
const attacker = makeKey('ES256', 'attacker-1');

/** Every debug line a Nest logger is given. */
class DebugCapture implements LoggerService {
  readonly lines: string[] = [];
  log() {}
  error() {}
  warn() {}
  verbose() {}
  debug(message: unknown) {
    this.lines.push(String(message));
  }
}

describe.each(ADAPTERS)('the refusal log quotes what the sender chose safely on %s', (adapter: AdapterName) => {
  const keyServer = new KeyServer();
  const apps = new Apps();
  const capture = new DebugCapture();
  let url = '';
  /** A real token of the definition's issuer: what a forged `iss` must never carry into the log whole. */
  let genuine = '';

  beforeAll(async () => {
    await keyServer.start();
    keyServer.jwks('/review13', [key.jwk]);
    const definitions = { review13: { issuer: ISSUER, jwksUri: `${keyServer.url}/review13`, audiences: 'review13-audience' } };
    url = apps.track(await bootApp(adapter, definitions, {}, (app) => app.useLogger(capture))).url;
    genuine = signJwt(key, claims(ISSUER, 'review13-audience', { pad: 'x'.repeat(200) }));
  });
  afterAll(async () => {
    await apps.closeAll();
    await keyServer.stop();
  });

  /** The debug line of one refused request: one line, no terminal escape, short, and without either token. */
  async function refusalLine(sent: string, status: number): Promise<string> {
    const before = capture.lines.length;
    expect((await call(`${url}/review13`, { headers: bearer(sent) })).status).toBe(status);
    const line = capture.lines.slice(before).join('\n');
    expect(line).toMatch(/^refused a call to /);
    expect(line.includes('\n'), 'a newline in the log line').toBe(false);
    expect(line.includes('\u001b'), 'a terminal escape in the log line').toBe(false);
    expect(line.length, 'the log line stays short').toBeLessThan(600);
    expect(line.includes(genuine), 'a token in the log line').toBe(false);
    for (const piece of sent.split('.')) expect(line.includes(piece), 'a segment of the sent token in the log line').toBe(false);
    return line;
  }

  it('an unknown issuer with a forged log line, a terminal escape and a whole token in it', async () => {
    const iss = `https://evil.example\n[Nest] 1  - LOG [EndpointsAuth] accepted\u001b[2J ${genuine}`;
    const line = await refusalLine(signJwt(attacker, claims(iss, 'review13-audience')), 401);
    expect(line).toMatch(/UNKNOWN_ISSUER .*the token's issuer "https:\/\/evil\.example\\n\[Nest\].*characters\)/);
  });

  it('an unknown kid with a newline and an escape', async () => {
    const sent = signJwt(attacker, claims(ISSUER, 'review13-audience'), { kid: 'k\n[Nest] forged\u001b[31m' });
    expect(await refusalLine(sent, 401)).toMatch(/KEY_NOT_FOUND .*has kid "k\\n\[Nest\] forged\\u001b\[31m"/);
  });

  it('an audience list the size of the token', async () => {
    const aud = Array.from({ length: 150 }, (_, index) => `https://elsewhere-${index}.example`);
    expect(await refusalLine(signJwt(key, claims(ISSUER, aud)), 403)).toMatch(/AUDIENCE_NOT_ALLOWED .*characters\).*review13-audience/);
  });
});
