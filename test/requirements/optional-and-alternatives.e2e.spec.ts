/**
 * `@Secured(name, { optional: true })` as ESPv2's `allow_missing` (R15, R16): no token passes with no user, a token
 * that is present but bad is still refused. And `requires_any` error aggregation: the last alternative's real failure,
 * else "unknown issuer", else "missing".
 */
import { Controller, Get } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { type JwtClaims, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { Apps, boot, expectMissing, expectRejected, expectUnknownIssuer, tokensOf, withIssuers } from './requirements-kit.js';

@Controller('optional')
class OptionalController {
  @Secured('alpha', { optional: true })
  @Get()
  alpha(@UserInfo() user: JwtClaims | undefined) {
    return { user: user ?? null };
  }

  @Secured('alpha', 'beta', { optional: true })
  @Get('either')
  either(@UserInfo() user: JwtClaims | undefined) {
    return { user: user ?? null };
  }
}

@Controller('any')
class AnyController {
  @Secured('alpha', 'beta')
  @Get('alpha-beta')
  alphaBeta(@UserInfo('iss') iss: string) {
    return { iss };
  }

  @Secured('beta', 'alpha')
  @Get('beta-alpha')
  betaAlpha(@UserInfo('iss') iss: string) {
    return { iss };
  }
}

describe.each(ADAPTERS)('optional tokens and alternatives on %s', (adapter: AdapterName) => {
  let issuers: Issuers;
  let tokens: ReturnType<typeof tokensOf>;
  let url: string;
  const apps = new Apps();

  withIssuers(apps, async (started, made) => {
    issuers = started;
    tokens = made;
    // The API level requires alpha: an optional route must not fall back to it when no token is sent.
    const spec = openApi2(issuers, { security: [{ alpha: [] }] });
    ({ url } = apps.track(await boot(adapter, { spec }, [OptionalController, AnyController])));
  });

  describe('@Secured("alpha", { optional: true })', () => {
    it('passes a request without a token, with @UserInfo() undefined', async () => {
      const answer = await call(`${url}/optional`);
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { user: null } });
    });

    it('passes a request whose only header does not carry the Bearer scheme ("Basic "), as no token', async () => {
      const answer = await call(`${url}/optional`, { headers: { authorization: `Basic ${tokens.alpha()}` } });
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { user: null } });
    });

    it('hands the claims of a good token to the handler', async () => {
      const answer = await call(`${url}/optional`, { headers: bearer(tokens.alpha()) });
      expect(answer.status).toBe(200);
      expect(answer.body.user).toMatchObject({ iss: issuers.alpha.issuer, sub: 'user-1', aud: 'alpha-audience' });
    });

    it('refuses a token with a bad signature: 401 "Jwt verification fails"', async () => {
      const answer = await call(`${url}/optional`, { headers: bearer(tokens.alphaBadSignature()) });
      expectRejected(answer, 'Jwt verification fails', 'INVALID_TOKEN');
    });

    it('refuses an expired token: 401 "Jwt is expired"', async () => {
      expectRejected(await call(`${url}/optional`, { headers: bearer(tokens.alphaExpired()) }), 'Jwt is expired', 'TOKEN_EXPIRED');
    });

    it('refuses a token of an unknown issuer: 401 "Jwt issuer is not configured"', async () => {
      expectUnknownIssuer(await call(`${url}/optional`, { headers: bearer(tokens.unknownIssuer()) }));
    });

    it('refuses a good token of a defined issuer the route does not name (beta): 401 "Jwt issuer is not configured"', async () => {
      expectUnknownIssuer(await call(`${url}/optional`, { headers: bearer(tokens.beta()) }));
    });

    it('refuses a token that is not a JWS', async () => {
      const answer = await call(`${url}/optional`, { headers: bearer('not-a-jwt') });
      expectRejected(answer, 'Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections', 'INVALID_TOKEN');
    });
  });

  describe('@Secured("alpha", "beta", { optional: true })', () => {
    it('passes without a token', async () => {
      const answer = await call(`${url}/optional/either`);
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { user: null } });
    });

    it('accepts either issuer', async () => {
      const alpha = await call(`${url}/optional/either`, { headers: bearer(tokens.alpha()) });
      const beta = await call(`${url}/optional/either`, { headers: bearer(tokens.beta()) });
      expect([alpha.status, alpha.body.user?.iss, beta.status, beta.body.user?.iss]).toEqual([
        200,
        issuers.alpha.issuer,
        200,
        issuers.beta.issuer,
      ]);
    });

    it('still refuses an unknown issuer with 401 (Envoy TestAuthAllowMissing)', async () => {
      expectUnknownIssuer(await call(`${url}/optional/either`, { headers: bearer(tokens.unknownIssuer()) }));
    });

    it('still refuses an expired beta token with "Jwt is expired"', async () => {
      expectRejected(await call(`${url}/optional/either`, { headers: bearer(tokens.betaExpired()) }), 'Jwt is expired', 'TOKEN_EXPIRED');
    });
  });

  describe.each([['alpha-beta'], ['beta-alpha']])('requires_any with alternatives %s', (route) => {
    const at = () => `${url}/any/${route}`;

    it('accepts a good token of either alternative', async () => {
      const alpha = await call(at(), { headers: bearer(tokens.alpha()) });
      const beta = await call(at(), { headers: bearer(tokens.beta()) });
      expect([alpha.status, alpha.body, beta.status, beta.body]).toEqual([
        200,
        { iss: issuers.alpha.issuer },
        200,
        { iss: issuers.beta.issuer },
      ]);
    });

    it('answers "Jwt is missing" without a token', async () => {
      expectMissing(await call(at()));
    });

    it('answers "Jwt issuer is not configured" for a token of an unknown issuer', async () => {
      expectUnknownIssuer(await call(at(), { headers: bearer(tokens.unknownIssuer()) }));
    });

    it('answers "Jwt is expired" for an expired beta token (the other alternative\'s "unknown issuer" does not win)', async () => {
      expectRejected(await call(at(), { headers: bearer(tokens.betaExpired()) }), 'Jwt is expired', 'TOKEN_EXPIRED');
    });

    it('answers "Jwt is expired" for an expired alpha token', async () => {
      expectRejected(await call(at(), { headers: bearer(tokens.alphaExpired()) }), 'Jwt is expired', 'TOKEN_EXPIRED');
    });

    it('answers "Jwt verification fails" for an alpha token with a bad signature', async () => {
      expectRejected(await call(at(), { headers: bearer(tokens.alphaBadSignature()) }), 'Jwt verification fails', 'INVALID_TOKEN');
    });
  });
});
