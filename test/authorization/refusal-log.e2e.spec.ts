/**
 * A scope or claim refusal is explained in the debug log by what the route's `@Secured` asks for: the scopes missing,
 * or the claim not equal, by name; never the token, nor a value it holds.
 */
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, Secured } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, bearer, call, startAppWith } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { DebugCapture } from '../support/debug-capture.js';

@Controller('logged')
class LoggedController {
  @Secured('alpha', { scopes: ['read:shelves', 'write:shelves'] })
  @Get('scoped')
  scoped() {
    return 'ok';
  }

  @Secured('alpha', { claims: { email_verified: true, 'firebase.tenant': 'tenant-1' } })
  @Get('claims')
  claimed() {
    return 'ok';
  }
}

describe.each(ADAPTERS)('scope and claim refusals in the debug log on %s', (adapter) => {
  let issuers: Issuers;
  let app: INestApplication;
  let url: string;
  const capture = new DebugCapture();
  const last = () => capture.lines.at(-1) ?? '';
  const alpha = (overrides: Record<string, unknown>) => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', overrides));

  beforeAll(async () => {
    issuers = await startIssuers();
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) })], controllers: [LoggedController] })
    class AppModule {}
    ({ app, url } = await startAppWith(AppModule, adapter, { configure: (app) => app.useLogger(capture) }));
  });
  afterAll(async () => {
    await app?.close();
    await issuers?.server.stop();
  });

  it('names the scopes the token lacks', async () => {
    const sent = alpha({ scope: 'read:shelves openid' });
    expect((await call(`${url}/logged/scoped`, { headers: bearer(sent) })).status).toBe(403);
    expect(last()).toBe(
      'refused a call to LoggedController.scoped ("alpha"): INSUFFICIENT_SCOPE "Scopes in Jwt are insufficient": ' +
        'the token does not grant the scope write:shelves that @Secured asks for',
    );
  });

  it('names the claim that is not equal, never the value the token holds', async () => {
    const sent = alpha({ email: 'someone@example.com', email_verified: true, firebase: { tenant: 'secret-tenant-name' } });
    expect((await call(`${url}/logged/claims`, { headers: bearer(sent) })).status).toBe(403);
    const line = last();
    expect(line).toBe(
      'refused a call to LoggedController.claimed ("alpha"): CLAIMS_NOT_ALLOWED "Claims in Jwt are not allowed": ' +
        '@Secured asks for claim "firebase.tenant" to be "tenant-1"; the token has another value or type',
    );
    expect(line).not.toContain('secret-tenant-name');
    expect(line).not.toContain('someone@example.com');
    for (const piece of sent.split('.')) expect(line.includes(piece)).toBe(false);
  });

  it('says when the claim is missing', async () => {
    expect((await call(`${url}/logged/claims`, { headers: bearer(alpha({})) })).status).toBe(403);
    expect(last()).toMatch(/@Secured asks for claim "email_verified" to be true; the token has none$/);
  });
});
