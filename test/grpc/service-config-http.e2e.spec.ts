/**
 * A gRPC service configuration guarding the app's HTTP controllers too: a route serving a method through the config's
 * `http.rules` (`google.api.http`, as ESPv2 transcodes) gets that method's rule; any other route gets what a `*` rule
 * requires, as an unlisted path gets an OpenAPI document's API level. Never open by omission.
 */
import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type JwtClaims, RouteRequirements, UserInfo } from '../../lib/index.js';
import type { Issuers } from '../fixtures/issuers.js';
import { Apps, boot, requirementChecks, tokensOf, withIssuers } from '../requirements/requirements-kit.js';
import { startupError } from '../api-config/spec-kit.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';

const answer = (handler: string, user?: JwtClaims) => ({ handler, iss: user?.iss ?? null });

@Controller('v1/shelves')
class ShelvesController {
  @Get()
  list(@UserInfo() user?: JwtClaims) {
    return answer('list', user);
  }

  @Get(':shelf')
  get(@UserInfo() user?: JwtClaims) {
    return answer('get', user);
  }

  @HttpCode(200)
  @Post(':shelf')
  update(@UserInfo() user?: JwtClaims) {
    return answer('update', user);
  }

  @Get(':shelf/books/:book')
  book(@UserInfo() user?: JwtClaims) {
    return answer('book', user);
  }
}

@Controller()
class OtherController {
  @Get('all-shelves')
  all(@UserInfo() user?: JwtClaims) {
    return answer('all', user);
  }

  @Get('status')
  status(@UserInfo() user?: JwtClaims) {
    return answer('status', user);
  }
}

/** Providers alpha and beta; `*` needs alpha, GetShelf beta, ListShelves nothing; `http.rules` map three methods. */
function serviceConfig(issuers: Issuers, rules?: object[], http?: object) {
  return {
    type: 'google.api.Service',
    name: issuers.service,
    authentication: {
      providers: [
        { id: 'alpha', issuer: issuers.alpha.issuer, jwks_uri: issuers.alpha.jwksUri, audiences: 'alpha-audience' },
        { id: 'beta', issuer: issuers.beta.issuer, jwks_uri: issuers.beta.jwksUri },
      ],
      rules: rules ?? [
        { selector: '*', requirements: [{ provider_id: 'alpha' }] },
        { selector: 'test.Shelves.GetShelf', requirements: [{ provider_id: 'beta' }] },
        { selector: 'test.Shelves.ListShelves' },
      ],
    },
    http: http ?? {
      rules: [
        { selector: 'test.Shelves.GetShelf', get: '/v1/shelves/{shelf}' },
        { selector: 'test.Shelves.ListShelves', get: '/v1/shelves', additional_bindings: [{ get: '/all-shelves' }] },
        { selector: 'test.Shelves.GetBook', get: '/v1/{name=shelves/*/books/*}' },
      ],
    },
  };
}

describe.each(ADAPTERS)('a service configuration over HTTP on %s', (adapter: AdapterName) => {
  let issuers: Issuers;
  let tokens: ReturnType<typeof tokensOf>;
  let check: ReturnType<typeof requirementChecks>;
  const apps = new Apps();
  withIssuers(apps, (started, made) => {
    issuers = started;
    tokens = made;
    check = requirementChecks(started, made);
  });
  afterEach(() => apps.closeAll());

  const start = async (spec: object) => apps.track(await boot(adapter, { spec }, [ShelvesController, OtherController]));

  it('a route serving a method through http.rules gets that method’s rule', async () => {
    const { url } = await start(serviceConfig(issuers));
    const ok = await check.requires(`${url}/v1/shelves/s1`, 'beta');
    expect(ok.body.handler).toBe('get');
    await check.open(`${url}/v1/shelves`);
    // An additional binding serves the same method.
    await check.open(`${url}/all-shelves`);
    // `{name=shelves/*/books/*}` is three segments; GetBook has no rule of its own, so `*` applies.
    expect((await check.requires(`${url}/v1/shelves/s1/books/b1`, 'alpha')).body.handler).toBe('book');
  });

  it('a route mapped to no method gets what the * rule requires, and never runs unchecked', async () => {
    const { url } = await start(serviceConfig(issuers));
    expect((await check.requires(`${url}/status`, 'alpha')).body.handler).toBe('status');
    // POST on a path http.rules binds for GET only: not GetShelf, so the * rule.
    expect((await check.requires(`${url}/v1/shelves/s1`, 'alpha', 'POST')).body.handler).toBe('update');
  });

  it('without http.rules every HTTP route gets the * rule', async () => {
    const spec = serviceConfig(issuers, undefined, { rules: [] });
    const { url } = await start(spec);
    for (const path of ['/v1/shelves', '/v1/shelves/s1', '/status']) await check.requires(`${url}${path}`, 'alpha');
  });

  it('a * rule that allows calls without a credential makes HTTP routes optional, and still refuses a bad token', async () => {
    const spec = serviceConfig(issuers, [{ selector: '*', allow_without_credential: true, requirements: [{ provider_id: 'alpha' }] }]);
    const { url } = await start(spec);
    expect((await call(`${url}/status`)).body).toEqual({ handler: 'status', iss: null });
    expect((await call(`${url}/status`, { headers: bearer(tokens.alpha()) })).body.iss).toBe(issuers.alpha.issuer);
    expect((await call(`${url}/status`, { headers: bearer(tokens.alphaExpired()) })).status).toBe(401);
  });

  it('with no * rule an unmapped route requires nothing, as ESP leaves a method without a rule open', async () => {
    const spec = serviceConfig(issuers, [{ selector: 'test.Shelves.GetShelf', requirements: [{ provider_id: 'beta' }] }]);
    const { url } = await start(spec);
    await check.open(`${url}/status`);
    await check.requires(`${url}/v1/shelves/s1`, 'beta');
  });

  it('the route table names the rule that decided each route', async () => {
    const { app } = await start(serviceConfig(issuers));
    const rows = app.get(RouteRequirements).routeTable().map((row) => `${row.method} ${row.path} ${row.source} ${row.requirement?.providers.join('|') ?? '-'}`);
    expect(rows).toEqual(
      expect.arrayContaining([
        'GET /v1/shelves rule test.Shelves.ListShelves -',
        'GET /v1/shelves/:shelf rule test.Shelves.GetShelf beta',
        'POST /v1/shelves/:shelf rule * alpha',
        'GET /v1/shelves/:shelf/books/:book rule test.Shelves.GetBook alpha',
        'GET /all-shelves rule test.Shelves.ListShelves -',
        'GET /status rule * alpha',
      ]),
    );
  });
});

describe('http.rules that cannot be read stop the app at start-up', () => {
  let issuers: Issuers;
  const apps = new Apps();
  withIssuers(apps, (started) => {
    issuers = started;
  });

  const failureOf = (http: object) =>
    startupError({ imports: [EndpointsAuthModule.forRoot({ spec: serviceConfig(issuers, undefined, http) })], controllers: [OtherController] });

  it.each([
    [{ rules: {} }, 'http.rules must be a list'],
    [{ rules: [{ selector: 'test.Shelves.*', get: '/x' }] }, 'http.rules[0]: selector must be a full method name'],
    [{ rules: [{ selector: 'test.Shelves.Get', get: '/x', post: '/y' }] }, 'must have exactly one of get, put, post, delete, patch or custom; found 2'],
    [{ rules: [{ selector: 'test.Shelves.Get' }] }, 'found 0'],
    [{ rules: [{ selector: 'test.Shelves.Get', get: 'x' }] }, 'http.rules[0].get must be a path template starting with "/"'],
    [{ rules: [{ selector: 'test.Shelves.Get', get: '/x', additional_bindings: [{ get: '/y', additional_bindings: [] }] }] }, 'may not nest'],
    [{ rules: [{ selector: 'test.Shelves.Get', custom: { path: '/x' } }] }, 'custom must be a mapping with a kind'],
    [{ rules: [{ selector: 'test.Shelves.Get', get: '/x/{name' }] }, 'has an unclosed {'],
    [
      { rules: [{ selector: 'test.Shelves.Open', get: '/v1/dup/{id}' }, { selector: 'test.Shelves.Beta', get: '/v1/dup/{x=*}' }] },
      'http.rules[1]: GET /v1/dup/{x=*} is bound to both test.Shelves.Open and test.Shelves.Beta',
    ],
  ])('%j', async (http, message) => {
    expect((await failureOf(http)).message).toContain(message);
  });
});
