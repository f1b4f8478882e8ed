/**
 * Where tokens are read (R18–R21, R3): ESP's default locations, case rules, custom `x-google-jwt-locations` replacing
 * the defaults, every extracted token having to verify, and routing by `iss` to the one matching definition (whose
 * key server alone is contacted).
 */
import { Controller, Get, type Type } from '@nestjs/common';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { EndpointsAuthCounters, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { type TestKey, claims, makeKey, signJwt } from '../support/keys.js';
import { Apps, type Answer, boot, expectMissing, expectRejected, expectUnknownIssuer, tokensOf, withIssuers } from './requirements-kit.js';
import { sleep } from '../verification/verification-kit.js';

const CUSTOM_ISSUER = 'https://custom.example.com';

@Secured('alpha')
@Controller('alpha')
class AlphaController {
  @Get()
  get(@UserInfo('iss') iss: string, @UserInfo('sub') sub: string) {
    return { iss, sub };
  }
}

@Secured('custom')
@Controller('custom')
class CustomController {
  @Get()
  get(@UserInfo('iss') iss: string, @UserInfo('sub') sub: string) {
    return { iss, sub };
  }
}

@Secured('alpha', 'beta')
@Controller('either')
class EitherController {
  @Get()
  get(@UserInfo('iss') iss: string) {
    return { iss };
  }
}

/** A specification with alpha and beta (default locations) and `custom` (X-Custom "Token " header and ?jwt). */
function specWithCustom(issuers: Issuers) {
  const spec = openApi2(issuers);
  return {
    ...spec,
    securityDefinitions: {
      ...spec.securityDefinitions,
      custom: {
        type: 'oauth2',
        flow: 'implicit',
        authorizationUrl: '',
        'x-google-issuer': CUSTOM_ISSUER,
        'x-google-jwks_uri': `${issuers.server.url}/custom/jwks`,
        'x-google-audiences': 'custom-audience',
        'x-google-jwt-locations': [
          { header: 'X-Custom', value_prefix: 'Token ' },
          { query: 'jwt' },
          // ESPv2's own fixture: a prefix with no trailing space, sent as `jwt-prefix-foo <token>`.
          { header: 'X-Fixture', value_prefix: 'jwt-prefix-foo' },
          // The default's prefix written out in the spec: exact, as in ESPv2.
          { header: 'Authorization', value_prefix: 'Bearer ' },
        ],
      },
    },
  };
}

describe.each(ADAPTERS)('token locations on %s', (adapter: AdapterName) => {
  let issuers: Issuers;
  let tokens: ReturnType<typeof tokensOf>;
  let customKey: TestKey;
  let url: string;
  const apps = new Apps();
  const customToken = (overrides: Record<string, unknown> = {}) =>
    signJwt(customKey, claims(CUSTOM_ISSUER, 'custom-audience', overrides));

  withIssuers(apps, async (started, made) => {
    issuers = started;
    tokens = made;
    customKey = makeKey('RS256', 'custom-1');
    issuers.server.jwks('/custom/jwks', [customKey.jwk]);
    ({ url } = apps.track(await boot(adapter, { spec: specWithCustom(issuers) }, [AlphaController, CustomController])));
  });

  /** 200 with alpha's claims (sub `user-1` unless told). */
  function expectAlpha(answer: Answer, sub = 'user-1') {
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { iss: issuers.alpha.issuer, sub } });
  }

  describe('ESP default locations', () => {
    it('reads "Authorization: Bearer <token>"', async () => {
      expectAlpha(await call(`${url}/alpha`, { headers: bearer(tokens.alpha()) }));
    });

    it('reads the scheme in any case (RFC 7235 §2.1): "bearer <token>", "BEARER <token>"', async () => {
      expectAlpha(await call(`${url}/alpha`, { headers: { authorization: `bearer ${tokens.alpha()}` } }));
      expectAlpha(await call(`${url}/alpha`, { headers: { authorization: `BEARER ${tokens.alpha()}` } }));
    });

    it('does not read another scheme, or "Bearer" without its space: 401 "Jwt is missing"', async () => {
      expectMissing(await call(`${url}/alpha`, { headers: { authorization: `Basic ${tokens.alpha()}` } }));
      expectMissing(await call(`${url}/alpha`, { headers: { authorization: `Bearer:${tokens.alpha()}` } }));
    });

    it('does not read a bare token in Authorization: 401 "Jwt is missing"', async () => {
      expectMissing(await call(`${url}/alpha`, { headers: { authorization: tokens.alpha() } }));
    });

    it('skips the spaces after the scheme, as Envoy does: "Bearer   <token>"', async () => {
      expectAlpha(await call(`${url}/alpha`, { headers: { authorization: `Bearer   ${tokens.alpha()}` } }));
    });

    it('keeps what follows the token, so "Bearer <token> extra" fails as malformed', async () => {
      const answer = await call(`${url}/alpha`, { headers: { authorization: `Bearer ${tokens.alpha()} extra` } });
      expect(answer.status).toBe(401);
      expect(answer.body?.errorCode).toBe('INVALID_TOKEN');
    });

    it('reads "X-Goog-Iap-Jwt-Assertion: <token>" (no prefix)', async () => {
      expectAlpha(await call(`${url}/alpha`, { headers: { 'X-Goog-Iap-Jwt-Assertion': tokens.alpha() } }));
    });

    it('reads "?access_token=<token>"', async () => {
      expectAlpha(await call(`${url}/alpha?access_token=${tokens.alpha()}`));
    });

    it('percent-decodes the query parameter', async () => {
      const encoded = tokens.alpha().replaceAll('.', '%2E');
      expectAlpha(await call(`${url}/alpha?access_token=${encoded}`));
    });

    it('query names are case-sensitive: "?ACCESS_TOKEN=" is not read', async () => {
      expectMissing(await call(`${url}/alpha?ACCESS_TOKEN=${tokens.alpha()}`));
    });

    it('a repeated query parameter gives its first value', async () => {
      expectAlpha(await call(`${url}/alpha?access_token=${tokens.alpha()}&access_token=${tokens.alphaBadSignature()}`));
    });
  });

  describe('custom x-google-jwt-locations (header X-Custom with prefix "Token ", query jwt)', () => {
    const expectCustom = (answer: Answer) =>
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { iss: CUSTOM_ISSUER, sub: 'user-1' } });

    it('reads "X-Custom: Token <token>"', async () => {
      expectCustom(await call(`${url}/custom`, { headers: { 'X-Custom': `Token ${customToken()}` } }));
    });

    it('reads "?jwt=<token>"', async () => {
      expectCustom(await call(`${url}/custom?jwt=${customToken()}`));
    });

    it('skips the spaces between a prefix and the token (ESPv2\'s "jwt-prefix-foo <token>" fixture)', async () => {
      expectCustom(await call(`${url}/custom`, { headers: { 'X-Fixture': `jwt-prefix-foo ${customToken()}` } }));
      expectCustom(await call(`${url}/custom`, { headers: { 'X-Fixture': `jwt-prefix-foo${customToken()}` } }));
      expectCustom(await call(`${url}/custom`, { headers: { 'X-Custom': `Token   ${customToken()}` } }));
    });

    it('a "Bearer " prefix written in the spec stays case-sensitive: "bearer <token>" is not read', async () => {
      expectCustom(await call(`${url}/custom`, { headers: bearer(customToken()) }));
      expectMissing(await call(`${url}/custom`, { headers: { authorization: `bearer ${customToken()}` } }));
    });

    it('ignores the default X-Goog-Iap-Jwt-Assertion header', async () => {
      expectMissing(await call(`${url}/custom`, { headers: { 'X-Goog-Iap-Jwt-Assertion': customToken() } }));
    });

    it('ignores the default ?access_token', async () => {
      expectMissing(await call(`${url}/custom?access_token=${customToken()}`));
    });

    it('needs the prefix: "X-Custom: <token>" is not read', async () => {
      expectMissing(await call(`${url}/custom`, { headers: { 'X-Custom': customToken() } }));
    });

    it('the prefix is case-sensitive: "X-Custom: token <token>" is not read', async () => {
      expectMissing(await call(`${url}/custom`, { headers: { 'X-Custom': `token ${customToken()}` } }));
    });

    it('every token must verify: a good X-Custom and a bad ?jwt are refused', async () => {
      const badJwt = signJwt(makeKey('RS256', 'custom-1'), claims(CUSTOM_ISSUER, 'custom-audience'));
      const answer = await call(`${url}/custom?jwt=${badJwt}`, { headers: { 'X-Custom': `Token ${customToken()}` } });
      expectRejected(answer, 'Jwt verification fails', 'INVALID_TOKEN');
    });
  });

  describe('several tokens: every one must verify (R21)', () => {
    it('refuses a good Authorization token with a ?access_token of bad signature', async () => {
      const answer = await call(`${url}/alpha?access_token=${tokens.alphaBadSignature()}`, { headers: bearer(tokens.alpha()) });
      expectRejected(answer, 'Jwt verification fails', 'INVALID_TOKEN');
    });

    it('refuses a bad Authorization token with a good ?access_token', async () => {
      const answer = await call(`${url}/alpha?access_token=${tokens.alpha()}`, { headers: bearer(tokens.alphaBadSignature()) });
      expectRejected(answer, 'Jwt verification fails', 'INVALID_TOKEN');
    });

    it('refuses a good Authorization token with an expired ?access_token: "Jwt is expired"', async () => {
      const answer = await call(`${url}/alpha?access_token=${tokens.alphaExpired()}`, { headers: bearer(tokens.alpha()) });
      expectRejected(answer, 'Jwt is expired', 'TOKEN_EXPIRED');
    });

    it('refuses a good alpha token beside a good token of another issuer (beta) on an alpha-only route', async () => {
      const answer = await call(`${url}/alpha?access_token=${tokens.beta()}`, { headers: bearer(tokens.alpha()) });
      expectUnknownIssuer(answer);
    });

    it('accepts two different good tokens (Authorization and ?access_token)', async () => {
      const answer = await call(`${url}/alpha?access_token=${tokens.alpha({ sub: 'user-2' })}`, { headers: bearer(tokens.alpha()) });
      expect(answer.status).toBe(200);
      expect(answer.body.iss).toBe(issuers.alpha.issuer);
      expect(['user-1', 'user-2']).toContain(answer.body.sub);
    });

    it('accepts two good tokens in Authorization and X-Goog-Iap-Jwt-Assertion', async () => {
      const headers = { ...bearer(tokens.alpha()), 'X-Goog-Iap-Jwt-Assertion': tokens.alpha({ sub: 'user-2' }) };
      const answer = await call(`${url}/alpha`, { headers });
      expect(answer.status).toBe(200);
      expect(['user-1', 'user-2']).toContain(answer.body.sub);
    });
  });
});

describe.each(ADAPTERS)('routing by iss on %s: a request never contacts another issuer\'s key server', (adapter: AdapterName) => {
  let issuers: Issuers;
  let tokens: ReturnType<typeof tokensOf>;
  const apps = new Apps();

  withIssuers(apps, async (started, made) => {
    issuers = started;
    tokens = made;
  });

  /**
   * Boots an app whose alpha key server answers 503: after its failed start-up fetch and the retry wait, any use of
   * alpha's keys would fetch again, so alpha's fetch counter shows whether a token ever reached alpha's strategy.
   */
  async function bootWithAlphaDown(controller: Type) {
    issuers.server.set('/alpha/jwks', { status: 503, body: 'down' });
    const { app, url } = apps.track(await boot(adapter, { spec: openApi2(issuers) }, [controller]));
    const alpha = () => app.get(EndpointsAuthCounters).keys('alpha');
    // A ceiling for a loaded machine, not a timing: the start-up fetch fails as soon as the 503 arrives.
    await vi.waitFor(() => expect(alpha().failures).toBe(1), { timeout: 15_000, interval: 20 });
    await sleep(1100); // past the wait after a failed fetch (at least 1 s; longer changes nothing)
    return { url, alphaFetches: () => alpha().fetches };
  }
  afterEach(() => {
    issuers.server.jwks('/alpha/jwks', [issuers.alpha.key.jwk]);
  });

  it('a beta token on an alpha-only route is "Jwt issuer is not configured" and never reaches alpha’s keys', async () => {
    const { url, alphaFetches } = await bootWithAlphaDown(AlphaController);
    expectUnknownIssuer(await call(`${url}/alpha`, { headers: bearer(tokens.beta()) }));
    expect(alphaFetches()).toBe(1);
    // The probe works: an alpha token does reach alpha's keys, and fetches again.
    expect((await call(`${url}/alpha`, { headers: bearer(tokens.alpha()) })).status).toBe(401);
    expect(alphaFetches()).toBe(2);
  });

  it('a beta token on an [alpha, beta] route is verified by beta alone: alpha’s keys are never asked for', async () => {
    const { url, alphaFetches } = await bootWithAlphaDown(EitherController);
    const answer = await call(`${url}/either`, { headers: bearer(tokens.beta()) });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { iss: issuers.beta.issuer } });
    expect(alphaFetches()).toBe(1);
  });
});
