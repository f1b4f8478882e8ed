/**
 * OpenAPI 2 `x-security` (ESP rule R14, ESPv2's `provider_and_audiences`): a requirement's audiences replace the
 * definition's for the routes it covers, at the operation and the document level, merged with `security` as the API
 * Compiler merges them; the validated-token cache never carries a token from one route's audiences to another's.
 */
import { Controller, Get } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { EndpointsAuthCounters, type JwtClaims, RouteRequirements, UserInfo } from '../../lib/index.js';
import { routeLine } from '../../lib/routes/describe-route.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { GOOD_KEY, expectKeyRefused } from '../api-keys/api-keys-kit.js';
import { Apps, boot, expectRejected, tokensOf, withIssuers } from './requirements-kit.js';

const echo = (user: JwtClaims | undefined) => ({ iss: user?.iss ?? null });

/** No decorator: every requirement comes from the spec. */
@Controller()
class AudiencesController {
  @Get('a')
  a(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }

  @Get('b')
  b(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }

  @Get('own')
  own(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }

  @Get('either')
  either(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }

  @Get('empty')
  empty(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }

  @Get('public')
  open(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }

  @Get('listed')
  listed(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }

  @Get('unlisted')
  unlisted(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }
}

/**
 * alpha lists `alpha-audience` and `second.example.com`; beta accepts the service name. The document level: beta, or
 * alpha for `api-audience`.
 */
function specOf(issuers: Issuers) {
  const aud = (...audiences: string[]) => ({ audiences });
  return openApi2(issuers, {
    security: [{ beta: [] }],
    'x-security': [{ alpha: aud('api-audience') }],
    paths: {
      '/a': { get: { 'x-security': [{ alpha: aud('audience-a') }] } },
      // Sanitised as a definition's audiences are, and an entry may hold several (ESPv2 splits the joined list).
      '/b': { get: { 'x-security': [{ alpha: aud('https://audience-b/', 'audience-b2, audience-b3') }] } },
      '/own': { get: { security: [{ alpha: [] }] } },
      '/either': { get: { security: [{ beta: [] }], 'x-security': [{ alpha: aud('audience-a') }] } },
      '/empty': { get: { 'x-security': [{ alpha: aud() }] } },
      '/public': { get: { 'x-security': [] } },
      '/listed': { get: {} },
    },
  });
}

describe.each(ADAPTERS)('x-security on %s', (adapter: AdapterName) => {
  const apps = new Apps();
  let url = '';
  let issuers: Issuers;
  let tokens: ReturnType<typeof tokensOf>;
  let app: Awaited<ReturnType<typeof boot>>['app'];
  /** An alpha token (a fresh `jti` each, so no two tests share a cache entry) for `aud`. */
  const alphaFor = (aud: unknown) => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, aud as string, { jti: crypto.randomUUID() }));
  const get = (path: string, token?: string) => call(`${url}${path}`, { headers: token ? bearer(token) : {} });
  const expectPasses = async (path: string, token: string) => {
    const answer = await get(path, token);
    expect({ path, status: answer.status, iss: answer.body?.iss }).toEqual({ path, status: 200, iss: expect.any(String) });
  };
  const expectAudienceRefused = async (path: string, token: string) =>
    expectRejected(await get(path, token), 'Audiences in Jwt are not allowed', 'AUDIENCE_NOT_ALLOWED', 403);

  withIssuers(apps, async (started, made) => {
    issuers = started;
    tokens = made;
    ({ app, url } = apps.track(await boot(adapter, { spec: specOf(issuers) }, [AudiencesController])));
  });

  it("passes a token for the operation's audience and refuses it (403) where another x-security names others", async () => {
    const token = alphaFor('audience-a');
    await expectPasses('/a', token);
    await expectAudienceRefused('/b', token);
    await expectAudienceRefused('/own', token);
  });

  it('re-checks a token answered from the validated-token cache against each route: verified on /a, refused on /b', async () => {
    const counters = app.get(EndpointsAuthCounters);
    const token = alphaFor('audience-a');
    await expectPasses('/a', token);
    const before = counters.tokens().hits;
    await expectAudienceRefused('/b', token);
    await expectAudienceRefused('/own', token);
    // Both refusals were judged from the cached entry, not by a fresh verification.
    expect(counters.tokens().hits).toBe(before + 2);
    await expectPasses('/a', token);
  });

  it('and the other way round: a token cached on a route with the definition\'s audiences is refused on /a', async () => {
    const token = alphaFor('alpha-audience');
    await expectPasses('/own', token);
    await expectAudienceRefused('/a', token);
    await expectPasses('/own', token);
  });

  it('sanitises the audiences as a definition\'s (scheme, one trailing slash) and splits an entry on commas', async () => {
    for (const aud of ['audience-b', 'https://audience-b', 'http://audience-b/', 'audience-b2', 'audience-b3']) await expectPasses('/b', alphaFor(aud));
    await expectAudienceRefused('/b', alphaFor('audience-b2, audience-b3'));
    // Any one allowed value of an aud list passes.
    await expectPasses('/b', alphaFor(['stranger', 'audience-b3']));
  });

  it("keeps the definition's own audiences where no x-security applies, and for an empty audiences list", async () => {
    for (const path of ['/own', '/empty']) {
      await expectPasses(path, alphaFor('alpha-audience'));
      await expectPasses(path, alphaFor('https://second.example.com/'));
      await expectAudienceRefused(path, alphaFor('audience-a'));
    }
  });

  it('ORs security and x-security: beta for its own audience, or alpha for the x-security audience only', async () => {
    await expectPasses('/either', tokens.beta());
    await expectPasses('/either', alphaFor('audience-a'));
    await expectAudienceRefused('/either', alphaFor('alpha-audience'));
    expectRejected(await get('/either'), 'Jwt is missing', 'MISSING_TOKEN');
  });

  it('applies the document-level x-security to routes the spec does not list and operations without their own', async () => {
    for (const path of ['/unlisted', '/listed']) {
      await expectPasses(path, alphaFor('api-audience'));
      await expectPasses(path, tokens.beta());
      await expectAudienceRefused(path, alphaFor('alpha-audience'));
      await expectAudienceRefused(path, alphaFor('audience-a'));
    }
  });

  it('an operation whose x-security is [] needs nothing, as security: [] (the API Compiler emits a rule without requirements)', async () => {
    const answer = await get('/public');
    expect({ status: answer.status, iss: answer.body?.iss }).toEqual({ status: 200, iss: null });
  });

  it('the route table carries the audiences, and its log line shows them', () => {
    const rows = app.get(RouteRequirements).routeTable();
    const row = (path: string) => rows.find((entry) => entry.path === path && entry.method === 'GET')!;
    expect(row('/a').requirement).toEqual({ providers: ['alpha'], optional: false, audiences: new Map([['alpha', ['audience-a']]]) });
    expect(row('/either').requirement).toEqual({ providers: ['beta', 'alpha'], optional: false, audiences: new Map([['alpha', ['audience-a']]]) });
    expect(row('/own').requirement).toEqual({ providers: ['alpha'], optional: false });
    expect(row('/public').requirement).toBeUndefined();
    expect(routeLine(row('/b'))).toBe('GET /b → alpha (aud audience-b, audience-b2, audience-b3) (spec GET /b, AudiencesController.b)');
    expect(routeLine(row('/unlisted'))).toBe('GET /unlisted → beta | alpha (aud api-audience) (spec security, AudiencesController.unlisted)');
  });
});

/** Two routes for the API-key cases. */
@Controller()
class KeyedController {
  @Get('keyed')
  keyed(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }

  @Get('unkeyed')
  unkeyed(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }
}

describe.each(ADAPTERS)('x-security and the API key on %s', (adapter: AdapterName) => {
  const apps = new Apps();
  let url = '';
  let issuers: Issuers;

  withIssuers(apps, async (started) => {
    issuers = started;
    const spec = openApi2(issuers, {
      security: [{ beta: [], api_key: [] }],
      paths: {
        // Only x-security: Service Management's usage rule reads security alone, so the document level's key applies.
        '/keyed': { get: { 'x-security': [{ alpha: { audiences: ['audience-a'] } }] } },
        // Its own security names no apiKey definition: no key.
        '/unkeyed': { get: { security: [{ beta: [] }], 'x-security': [{ alpha: { audiences: ['audience-a'] } }] } },
      },
    });
    ({ url } = apps.track(await boot(adapter, { spec, apiKeys: { validate: (key: string) => key === GOOD_KEY } }, [KeyedController])));
  });

  it('an operation with only x-security needs the key the document level asks for; one with its own security does not', async () => {
    const token = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'audience-a'));
    expectKeyRefused(await call(`${url}/keyed`, { headers: bearer(token) }), 'API_KEY_MISSING');
    expect((await call(`${url}/keyed?key=${GOOD_KEY}`, { headers: bearer(token) })).status).toBe(200);
    expect((await call(`${url}/unkeyed`, { headers: bearer(token) })).status).toBe(200);
    // The audiences still apply with the key.
    const other = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));
    expectRejected(await call(`${url}/keyed?key=${GOOD_KEY}`, { headers: bearer(other) }), 'Audiences in Jwt are not allowed', 'AUDIENCE_NOT_ALLOWED', 403);
  });
});
