/**
 * Fourth routing review: a gRPC service configuration's `http.rules` guarding HTTP controllers (custom methods,
 * additional bindings of another method, duplicate bindings, `{name=shelves/*}/books/{book}:verb`, `{x=*}`, a literal
 * `:` inside a segment, a `/v1/**` catch-all) and where an API key is read (query vs header, repeated, no `=`,
 * percent-encoded names, Authorization, mixed-case header names, async validators). Real Nest apps on Express and
 * Fastify over real sockets, asserting on the handler that ran and the user it saw.
 *
 * Findings (each explained where it is tested; each failed when found and is fixed in lib/: a template with a :verb
 * is more specific than the same template without one (path-template.util.ts compareSpecificity); two selectors bound
 * to one path and method are a start-up error, as ESPv2 refuses them (read-http-rules.ts)):
 * - FINDING 2: a `:verb` binding listed after a verb-less binding of the same method and depth is shadowed:
 *   POST /v1/docs/d1:fetch runs with no token where ESP's transcoder picks the verb's (guarded) method.
 * - FINDING 1: two http.rules bind one path and method to different selectors: ESPv2 refuses the configuration
 *   (Envoy's path matcher: "Duplicated pattern", GoogleCloudPlatform/esp-v2#254); the library starts and serves the
 *   FIRST selector's requirement, so an open first rule opens a route the second rule guards.
 */
import { All, Controller, Delete, Get, Head, HttpCode, Options, Param, Post, Search } from '@nestjs/common';
import { afterEach, describe, expect, it } from 'vitest';
import { type ApiKeyValidator, type JwtClaims, UserInfo } from '../../lib/index.js';
import { GOOD_KEY, apiKeySpec } from '../api-keys/api-keys-kit.js';
import type { Issuers } from '../fixtures/issuers.js';
import { Apps, boot, tokensOf, withIssuers } from '../requirements/requirements-kit.js';
import { ADAPTERS, type AdapterName } from '../support/app.js';
import { FASTIFY_ALL_SERVES_EXTRA_METHODS } from './fastify-behaviour.js';
import { Prober, bootRouting, guarded, open, rawRequest, seen, unrouted } from './routing-kit.js';

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
// Service configuration: `*` needs alpha, test.S.Beta needs beta, test.S.Open nothing.
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
function config(issuers: Issuers, httpRules: object[], extra: Record<string, unknown> = {}) {
  return {
    type: 'google.api.Service',
    name: issuers.service,
    authentication: {
      providers: [
        { id: 'alpha', issuer: issuers.alpha.issuer, jwks_uri: issuers.alpha.jwksUri, audiences: 'alpha-audience' },
        { id: 'beta', issuer: issuers.beta.issuer, jwks_uri: issuers.beta.jwksUri },
      ],
      rules: [
        { selector: '*', requirements: [{ provider_id: 'alpha' }] },
        { selector: 'test.S.Beta', requirements: [{ provider_id: 'beta' }] },
        { selector: 'test.S.Open' },
      ],
    },
    http: { rules: httpRules },
    ...extra,
  };
}

@Controller('v1/items')
class ItemsController {
  @Get(':id')
  get(@UserInfo() user?: JwtClaims) {
    return seen('get', user);
  }

  @Head(':id/head')
  head(@UserInfo() user?: JwtClaims) {
    return seen('head', user);
  }

  @Options(':id')
  options(@UserInfo() user?: JwtClaims) {
    return seen('options', user);
  }

  @HttpCode(200)
  @Search(':id')
  search(@UserInfo() user?: JwtClaims) {
    return seen('search', user);
  }

  @All(':id/any')
  any(@UserInfo() user?: JwtClaims) {
    return seen('any', user);
  }
}

@Controller('v1/docs')
class DocsController {
  @HttpCode(200)
  @Post(':id')
  post(@UserInfo() user?: JwtClaims, @Param() params: Record<string, unknown> = {}) {
    return seen('post', user, params);
  }

  @Delete(':id')
  remove(@UserInfo() user?: JwtClaims) {
    return seen('delete', user);
  }

  @Get(':id')
  get(@UserInfo() user?: JwtClaims) {
    return seen('get', user);
  }
}

@Controller('v1')
class TemplatesController {
  @HttpCode(200)
  @Post('shelves/:shelf/books/:book')
  publish(@UserInfo() user?: JwtClaims) {
    return seen('publish', user);
  }

  @Get('x/:x')
  x(@UserInfo() user?: JwtClaims) {
    return seen('x', user);
  }

  @Get('lit/:p/c')
  lit(@UserInfo() user?: JwtClaims) {
    return seen('lit', user);
  }

  @Get('dup/:id')
  dup(@UserInfo() user?: JwtClaims) {
    return seen('dup', user);
  }

  @Get('pub/:id')
  pub(@UserInfo() user?: JwtClaims) {
    return seen('pub', user);
  }

  @Get('pub/:id/:more')
  deeper(@UserInfo() user?: JwtClaims) {
    return seen('deeper', user);
  }

  @Get('other')
  other(@UserInfo() user?: JwtClaims) {
    return seen('other', user);
  }
}

const alphaGuarded = (handler: string) => guarded(handler, 'alpha');

describe.each(ADAPTERS)('http.rules under a service configuration on %s', (adapter: AdapterName) => {
  let issuers: Issuers;
  let tokens: ReturnType<typeof tokensOf>;
  const apps = new Apps();
  withIssuers(apps, (started, made) => {
    issuers = started;
    tokens = made;
  });
  afterEach(() => apps.closeAll());

  const start = async (rules: object[], controllers: any[]) => {
    const { url } = apps.track(await bootRouting(adapter, { spec: config(issuers, rules), metadata: { controllers } }));
    return new Prober(url, issuers, tokens);
  };

  it('holds: custom HEAD, OPTIONS and SEARCH bindings (any case of kind) take their own selector, not the GET’s', async () => {
    const probe = await start(
      [
        { selector: 'test.S.Open', get: '/v1/items/{id}' },
        { selector: 'test.S.Beta', custom: { kind: 'HEAD', path: '/v1/items/{id}' } },
        { selector: 'test.S.Beta', custom: { kind: 'options', path: '/v1/items/{id}' } },
        { selector: 'test.S.Beta', custom: { kind: 'SEARCH', path: '/v1/items/{id}' } },
        { selector: 'test.S.Open', get: '/v1/items/{id}/head' },
        { selector: 'test.S.Beta', custom: { kind: 'HEAD', path: '/v1/items/{id}/head' } },
        { selector: 'test.S.Open', custom: { kind: 'SEARCH', path: '/v1/items/{id}/any' } },
      ],
      [ItemsController],
    );
    expect(await probe.outcomes('/v1/items/i1')).toEqual(open('get'));
    // HEAD served by the GET handler: the HEAD binding (beta) decides.
    expect(await probe.outcomes('/v1/items/i1', { method: 'HEAD' })).toEqual(guarded('get'));
    expect(await probe.outcomes('/v1/items/i1/head', { method: 'HEAD' })).toEqual(guarded('head'));
    // A plain OPTIONS (no Origin/ACRM) is checked against the OPTIONS binding.
    expect(await probe.outcomes('/v1/items/i1', { method: 'OPTIONS' })).toEqual(guarded('options'));
    expect(await probe.outcomes('/v1/items/i1', { method: 'SEARCH' })).toEqual(guarded('search'));
    // @All(): SEARCH is bound to Open; every other method is unbound: the * rule (alpha), never open.
    expect(await probe.outcomes('/v1/items/i1/any', { method: 'SEARCH' })).toEqual(open('any'));
    for (const method of ['GET', 'POST', 'PROPFIND', 'DELETE']) {
      // Nest 11's Fastify adapter leaves PROPFIND out of @All(): the request reaches no handler there.
      const served = adapter === 'express' || FASTIFY_ALL_SERVES_EXTRA_METHODS || method !== 'PROPFIND';
      expect(await probe.outcomes('/v1/items/i1/any', { method, right: 'alpha' })).toEqual(served ? alphaGuarded('any') : unrouted());
    }
  });

  it('holds: additional_bindings of another HTTP method serve the rule’s selector; the main binding’s method stays its own', async () => {
    const probe = await start(
      [
        { selector: 'test.S.Beta', get: '/v1/docs/{id}', additional_bindings: [{ post: '/v1/docs/{id}:fetch' }, { delete: '/v1/docs/{id}' }] },
        { selector: 'test.S.Open', post: '/v1/docs/{id}' },
      ],
      [DocsController],
    );
    expect(await probe.outcomes('/v1/docs/d1')).toEqual(guarded('get'));
    expect(await probe.outcomes('/v1/docs/d1', { method: 'DELETE' })).toEqual(guarded('delete'));
    expect(await probe.outcomes('/v1/docs/d1', { method: 'POST' })).toEqual(open('post'));
  });

  // FINDING 2 — a `:verb` binding is shadowed by a verb-less binding of the same method at the same depth when the
  // verb-less one comes first in http.rules (or shares a template with an earlier binding of the rule).
  // Setup: [{Beta, get: /v1/docs/{id}, additional_bindings: [{post: /v1/docs/{id}:fetch}]}, {Open, post: /v1/docs/{id}}]
  // and, plainly, [{Open, post: /v1/{name=shelves/*}/books/{book}}, {Beta, post: /v1/{name=shelves/*}/books/{book}:publish}];
  // Nest @Post('v1/docs/:id'), @Post('v1/shelves/:shelf/books/:book').
  // Request: POST /v1/docs/d1:fetch, POST /v1/shelves/s1/books/b1:publish with no token.
  // ESP: the transcoder's path matcher takes the custom verb off the last segment first, so the request is the verb's
  // method (Beta: a beta token); actual: the handler runs with no user (the Open method's requirement).
  // Cause: lib/api-config/path-template.util.ts compareSpecificity ranks `{_}:fetch` and `{_}` equal (both "variable"), so
  // the sort keeps insertion order and settleMethod / requirementAmong take the verb-less path first for the method.
  // Fix: on a tie, order a template whose last segment carries a `:verb` before the same template without it.
  it('FINDING 2: a `:verb` binding after a verb-less one of the same method takes its own requests', async () => {
    const docs = await start(
      [
        { selector: 'test.S.Beta', get: '/v1/docs/{id}', additional_bindings: [{ post: '/v1/docs/{id}:fetch' }] },
        { selector: 'test.S.Open', post: '/v1/docs/{id}' },
      ],
      [DocsController],
    );
    const books = await start(
      [
        { selector: 'test.S.Open', post: '/v1/{name=shelves/*}/books/{book}' },
        { selector: 'test.S.Beta', post: '/v1/{name=shelves/*}/books/{book}:publish' },
      ],
      [TemplatesController],
    );
    expect({
      fetch: await docs.outcomes('/v1/docs/d1:fetch', { method: 'POST' }),
      publish: await books.outcomes('/v1/shelves/s1/books/b1:publish', { method: 'POST' }),
    }).toEqual({ fetch: guarded('post'), publish: guarded('publish') });
  });

  it('holds: `{name=shelves/*}/books/{book}:verb`, `{x=*}`, a literal `:` inside a segment', async () => {
    const probe = await start(
      [
        { selector: 'test.S.Beta', post: '/v1/{name=shelves/*}/books/{book}:publish' },
        { selector: 'test.S.Open', post: '/v1/{name=shelves/*}/books/{book}' },
        { selector: 'test.S.Beta', get: '/v1/x/{x=*}' },
        { selector: 'test.S.Beta', get: '/v1/lit/a:b/c' },
        { selector: 'test.S.Open', get: '/v1/lit/{p}/c' },
      ],
      [TemplatesController],
    );
    expect(await probe.outcomes('/v1/shelves/s1/books/b1:publish', { method: 'POST' })).toEqual(guarded('publish'));
    expect(await probe.outcomes('/v1/shelves/s1/books/b1%3apublish', { method: 'POST' })).toEqual(guarded('publish'));
    expect(await probe.outcomes('/v1/shelves/s1/books/b1', { method: 'POST' })).toEqual(open('publish'));
    expect(await probe.outcomes('/v1/x/anything')).toEqual(guarded('x'));
    expect(await probe.outcomes('/v1/lit/a:b/c')).toEqual(guarded('lit'));
    expect(await probe.outcomes('/v1/lit/a%3Ab/c')).toEqual(guarded('lit'));
    expect(await probe.outcomes('/v1/lit/zz/c')).toEqual(open('lit'));
  });

  it('holds: a `/v1/**` catch-all beside specific bindings (most specific first, unbound methods take the * rule)', async () => {
    const probe = await start(
      [
        { selector: 'test.S.Beta', get: '/v1/**' },
        { selector: 'test.S.Open', get: '/v1/pub/{id}' },
      ],
      [TemplatesController],
    );
    expect(await probe.outcomes('/v1/pub/p1')).toEqual(open('pub'));
    expect(await probe.outcomes('/v1/pub/p1/more')).toEqual(guarded('deeper'));
    expect(await probe.outcomes('/v1/other')).toEqual(guarded('other'));
    expect(await probe.outcomes('/v1/x/1')).toEqual(guarded('x'));
    expect(await probe.outcomes('/v1/pub/p1', { method: 'HEAD' })).toEqual(open('pub'));
  });

  // FINDING 1 — two http.rules bind GET /v1/dup/{id} to different selectors, the open one first.
  // Setup: http.rules [{Open, get: /v1/dup/{id}}, {Beta, get: /v1/dup/{x=*}}]; @Get('v1/dup/:id').
  // ESP: ESPv2 refuses the configuration (Envoy path matcher: "Proto constraint validation failed (Duplicated pattern
  // or invalid pattern)", GoogleCloudPlatform/esp-v2#254): no request is served. Expected here: a start-up error, or
  // at least fail closed (beta). Actual: the app starts and GET /v1/dup/d1 runs `dup` with no token.
  // Cause: lib/api-config/read-http-rules.ts, readHttpRules: `if (entry.selectors.has(binding.method)) continue;` — the first
  // binding silently wins ("the first is the one transcoding serves").
  // Fix: throw a SpecError naming both selectors (as ESPv2 does), or keep the union of their requirements.
  it('FINDING 1: two selectors bound to one path and method never let the open one win (a start-up error, as ESP refuses the config)', async () => {
    let outcome: string;
    try {
      const probe = await start(
        [
          { selector: 'test.S.Open', get: '/v1/dup/{id}' },
          { selector: 'test.S.Beta', get: '/v1/dup/{x=*}' },
        ],
        [TemplatesController],
      );
      outcome = (await probe.outcomes('/v1/dup/d1')).none;
    } catch (error) {
      outcome = `start-up error: ${(error as Error).message}`;
    }
    expect(outcome).not.toBe('dup:open');
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
// API keys: where the key is read
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
@Controller('books')
class BooksController {
  @Get('open')
  open(@UserInfo() user?: JwtClaims) {
    return seen('open', user);
  }

  @Get('defaults')
  defaults(@UserInfo() user?: JwtClaims) {
    return seen('defaults', user);
  }

  @Get('header')
  header(@UserInfo() user?: JwtClaims) {
    return seen('header', user);
  }

  @Get('mixed')
  mixed(@UserInfo() user?: JwtClaims) {
    return seen('mixed', user);
  }
}

describe.each(ADAPTERS)('API keys: where the key is read on %s', (adapter: AdapterName) => {
  let issuers: Issuers;
  const apps = new Apps();
  withIssuers(apps, (started) => {
    issuers = started;
  });
  afterEach(() => apps.closeAll());

  const start = async (validate: ApiKeyValidator['validate']) => {
    const spec = apiKeySpec(issuers) as any;
    spec.paths['/books/mixed'] = { get: { security: [{ mixed_key: [] }] } };
    spec.securityDefinitions.mixed_key = { type: 'apiKey', in: 'header', name: 'X-Api-KEY' };
    const { url } = apps.track(await boot(adapter, { spec, apiKeys: { validate } }, [BooksController]));
    return async (target: string, headers: Record<string, string> = {}) => {
      const answer = await rawRequest(url, target, { headers });
      return answer.status === 200 ? `${answer.body.handler}:${answer.body.iss === null ? 'open' : 'user'}` : `${answer.status} ${answer.body?.errorCode ?? ''}`;
    };
  };
  const good = encodeURIComponent(GOOD_KEY);

  it('holds: query before header, first value, `?key` without `=`, encoded names, Authorization, mixed-case header names', async () => {
    const send = await start((key) => key === GOOD_KEY);
    const cases: Record<string, [string, Record<string, string>]> = {
      'query wrong, header good': [`/books/defaults?key=wrong`, { 'x-api-key': GOOD_KEY }],
      'query good, header wrong': [`/books/defaults?key=${good}`, { 'x-api-key': 'wrong' }],
      'api_key good, key wrong': [`/books/defaults?api_key=${good}&key=wrong`, {}],
      'key repeated, wrong first': [`/books/open?key=wrong&key=${good}`, {}],
      'key repeated, good first': [`/books/open?key=${good}&key=wrong`, {}],
      '?key alone': ['/books/open?key', {}],
      '?key then api_key (defaults)': [`/books/defaults?key&api_key=${good}`, {}],
      '?key= then key=good': [`/books/open?key=&key=${good}`, {}],
      'encoded name, wrong, before key': [`/books/open?%6Bey=wrong&key=${good}`, {}],
      'Authorization Bearer key': ['/books/open', { authorization: `Bearer ${GOOD_KEY}` }],
      'Authorization raw key': ['/books/defaults', { authorization: GOOD_KEY }],
      'mixed-case name, lower-case header': ['/books/mixed', { 'x-api-key': GOOD_KEY }],
      'mixed-case name, wrong': ['/books/mixed', { 'X-API-KEY': 'wrong' }],
      'mixed-case name, query': [`/books/mixed?key=${good}&X-Api-KEY=${good}`, {}],
    };
    const results: Record<string, string> = {};
    for (const [name, [target, headers]] of Object.entries(cases)) results[name] = await send(target, headers);
    expect(results).toEqual({
      'query wrong, header good': '401 API_KEY_INVALID',
      'query good, header wrong': 'defaults:open',
      'api_key good, key wrong': '401 API_KEY_INVALID',
      'key repeated, wrong first': '401 API_KEY_INVALID',
      'key repeated, good first': 'open:open',
      '?key alone': '401 API_KEY_MISSING',
      '?key then api_key (defaults)': 'defaults:open',
      '?key= then key=good': expect.stringMatching(/^(open:open|401 API_KEY_MISSING)$/),
      'encoded name, wrong, before key': expect.stringMatching(/^(open:open|401 API_KEY_INVALID)$/),
      'Authorization Bearer key': '401 API_KEY_MISSING',
      'Authorization raw key': '401 API_KEY_MISSING',
      'mixed-case name, lower-case header': 'mixed:open',
      'mixed-case name, wrong': '401 API_KEY_INVALID',
      'mixed-case name, query': '401 API_KEY_MISSING',
    });
  });

  it('holds: a percent-encoded key name carrying the good key never lets a wrong `key` through', async () => {
    const send = await start((key) => key === GOOD_KEY);
    expect(await send(`/books/open?key=wrong&%6Bey=${good}`)).toBe('401 API_KEY_INVALID');
    expect(await send(`/books/open?%6Bey=${good}`)).toMatch(/^(open:open|401 API_KEY_MISSING)$/);
  });

  it('holds: an async validator passes only `true` (truthy strings, objects, 1, a thenable of true-ish are refused)', async () => {
    for (const verdict of ['yes', {}, 1, [true]] as unknown[]) {
      const send = await start(async () => verdict as boolean);
      expect(await send(`/books/open?key=${good}`)).toBe('401 API_KEY_INVALID');
      const thenable = await start(() => ({ then: (resolve: (value: unknown) => void) => resolve(verdict) }) as unknown as boolean);
      expect(await thenable(`/books/open?key=${good}`)).toBe('401 API_KEY_INVALID');
      await apps.closeAll();
    }
    const yes = await start(async () => true);
    expect(await yes(`/books/open?key=${good}`)).toBe('open:open');
    const rejects = await start(async () => Promise.reject(new Error('down')));
    expect(await rejects(`/books/open?key=${good}`)).toBe('500 ');
  });
});
