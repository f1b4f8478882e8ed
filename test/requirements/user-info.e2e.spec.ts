/** `request.user` holds the verified token's claims, `@UserInfo()` gives the same object and `@UserInfo('email')` one claim. */
import { Controller, Get, Req } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { type JwtClaims, Public, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { Apps, boot, withIssuers } from './requirements-kit.js';

type WithUser = { user?: unknown };

@Controller('me')
class MeController {
  @Secured('alpha', 'beta')
  @Get()
  me(
    @Req() request: WithUser,
    @UserInfo() info: JwtClaims,
    @UserInfo('email') email: string | undefined,
    @UserInfo('not_a_claim') absent: unknown,
  ) {
    return { user: request.user ?? null, info: info ?? null, same: request.user === info, email: email ?? null, absent: absent === undefined };
  }

  @Public()
  @Get('public')
  open(@Req() request: WithUser, @UserInfo() info: JwtClaims | undefined, @UserInfo('email') email: string | undefined) {
    return { user: request.user ?? null, info: info ?? null, email: email ?? null };
  }
}

describe.each(ADAPTERS)('request.user and @UserInfo() on %s', (adapter: AdapterName) => {
  let issuers: Issuers;
  let url: string;
  const apps = new Apps();

  withIssuers(apps, async (started) => {
    issuers = started;
    ({ url } = apps.track(await boot(adapter, { spec: openApi2(issuers) }, [MeController])));
  });

  const extra = {
    email: 'reader@example.com',
    email_verified: true,
    roles: ['reader', 'editor'],
    firebase: { sign_in_provider: 'password', identities: { email: ['reader@example.com'] } },
  };

  it.each([
    ['alpha (RS256)', 'alpha', 'alpha-audience'],
    ['beta (ES256)', 'beta', undefined],
  ] as const)('a %s token: request.user is exactly the payload, and @UserInfo() is the same object', async (_label, name, audience) => {
    const payload = claims(issuers[name].issuer, audience ?? `https://${issuers.service}`, extra);
    const answer = await call(`${url}/me`, { headers: bearer(signJwt(issuers[name].key, payload)) });
    expect(answer.status).toBe(200);
    expect(answer.body.user).toEqual(payload);
    expect(answer.body.info).toEqual(payload);
    expect(answer.body.same).toBe(true);
  });

  it('@UserInfo("email") gives that one claim, and an absent claim is undefined', async () => {
    const payload = claims(issuers.alpha.issuer, ['other-audience', 'alpha-audience'], { email: 'someone@example.com' });
    const answer = await call(`${url}/me`, { headers: bearer(signJwt(issuers.alpha.key, payload)) });
    expect(answer.status).toBe(200);
    expect(answer.body.email).toBe('someone@example.com');
    expect(answer.body.absent).toBe(true);
    expect(answer.body.user.aud).toEqual(['other-audience', 'alpha-audience']);
  });

  it('on a public route nothing is verified, so request.user and @UserInfo() stay undefined even with a good token', async () => {
    const payload = claims(issuers.alpha.issuer, 'alpha-audience', extra);
    const answer = await call(`${url}/me/public`, { headers: bearer(signJwt(issuers.alpha.key, payload)) });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { user: null, info: null, email: null } });
  });
});
