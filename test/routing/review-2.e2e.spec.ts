/**
 * Second routing review, of the newest changes: the linear spec path matcher (lib/api-config/path-matcher.ts), the operation
 * chosen per method (lib/routes/route-entry.ts, lib/routes/spec-operation.ts) and a service configuration's
 * `usage.rules` (lib/api-config/read-usage-rules.ts). Real Nest apps on Express and Fastify over real sockets (and a real
 * grpc-js client), asserting on the handler that ran and the user it saw.
 *
 * Findings (each explained where it is tested; each failed when found and is fixed in lib/ beside it: a HEAD looks
 * for a HEAD operation among all matching paths before any GET; a service config with usage asks rules and usage per
 * gRPC method; the first alignment with a matching path decides, by method only within it):
 * - FINDING 1: a HEAD request takes the GET of a more specific spec path before the HEAD operation of a less specific
 *   one (operationKey's HEAD→GET fallback inside requirementAmong's most-specific-first loop).
 * - FINDING 2: a service configuration whose `authentication.rules` is empty ignores `usage.rules` for gRPC methods
 *   (rpcRequirementFor returns the API level before needsApiKey is asked).
 * - FINDING 3: the method-aware choice runs across alignments: a path that matches the route as registered but does
 *   not list the method is skipped in favour of a path matching the route without its global prefix.
 */
import type * as grpc from '@grpc/grpc-js';
import { Controller, Get, type INestApplication, type INestMicroservice, Module, Param } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type JwtClaims, UserInfo } from '../../lib/index.js';
import { compileTemplate, ignoreCase, matchesTemplate } from '../../lib/api-config/path-matcher.js';
import { templateRegExp as openApiPathPattern } from '../support/template-regexp.js';
import { GOOD_KEY, MISSING_MESSAGE, recordingValidator } from '../api-keys/api-keys-kit.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';
import { OK, UNAUTHENTICATED, replyOf } from '../grpc/grpc-kit.js';
import { Apps, boot, tokensOf, withIssuers } from '../requirements/requirements-kit.js';
import { ADAPTERS, type AdapterName, call } from '../support/app.js';
import { bearerMetadata, grpcClients, startGrpcApp, unary } from '../support/grpc.js';
import { Prober, bootRouting, guarded, open, seen } from './routing-kit.js';

const BETA = [{ beta: [] }];
const NONE: never[] = [];
type Params = Record<string, unknown>;

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
// The matcher, unit level: random templates (wildcards with and without verbs anywhere, several variables in one
// segment, unbalanced braces) against the RegExp `^/<template>/?$` — held: no disagreement, no exception.
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
describe('holds: the linear matcher agrees with the RegExp on random templates and paths', () => {
  const SEGMENTS = ['a', 'b', '{x}', '{x}a', 'a{x}', '{x}{y}', '{x}a{y}', 'a{x}a', '**', '{p=**}', '{p=**}:a', '**:ab', '{x}:a', 'a:a', '{x=*}', '{x=a', '**}', '{', '}', '{x}}', '{{x}'];
  // A small deterministic generator: the same cases on every run.
  let seed = 12345;
  const next = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };

  it('exact and ignoring case, 2,000 templates × 40 paths over "aA/:b"', () => {
    const disagreements: string[] = [];
    for (let t = 0; t < 2000; t++) {
      const template = '/' + Array.from({ length: 1 + next(4) }, () => SEGMENTS[next(SEGMENTS.length)]).join('/');
      const exact = compileTemplate(template);
      const folded = compileTemplate(template, ignoreCase);
      const pattern = openApiPathPattern(template);
      const patternI = openApiPathPattern(template, 'i');
      for (let p = 0; p < 40; p++) {
        const path = '/' + Array.from({ length: next(9) }, () => 'aA/:b'[next(5)]).join('');
        if (matchesTemplate(exact, path) !== pattern.test(path)) disagreements.push(`${template} ${path}`);
        if (matchesTemplate(folded, ignoreCase(path)) !== patternI.test(path)) disagreements.push(`i ${template} ${path}`);
      }
    }
    expect(disagreements).toEqual([]);
  });

  it('answers in linear time on adversarial inputs (several wildcards with verbs, many variables in one segment)', () => {
    // CPU time, not wall time: a backtracking matcher would spend seconds of it, and a busy machine does not add any.
    const started = process.cpuUsage();
    expect(matchesTemplate(compileTemplate('/**:a/**:a/**:a/b'), `/${'x:a/'.repeat(10_000)}c`)).toBe(false);
    expect(matchesTemplate(compileTemplate('/{a}a{b}a{c}a{d}a{e}b'), `/${'a'.repeat(30_000)}`)).toBe(false);
    expect(matchesTemplate(compileTemplate('/a/{x}'), 'a/b')).toBe(false); // no leading slash: no match, no throw
    const used = process.cpuUsage(started);
    expect((used.user + used.system) / 1000).toBeLessThan(1_000);
  });
});

let issuers: Issuers;
let tokens: ReturnType<typeof tokensOf>;
const apps = new Apps();

withIssuers(apps, (started, made) => {
  issuers = started;
  tokens = made;
});

async function probeApp(adapter: AdapterName, spec: object, controllers: Function[], configure?: (app: INestApplication) => void): Promise<Prober> {
  const { url } = apps.track(await bootRouting(adapter, { spec, metadata: { controllers: controllers as never[] }, configure }));
  return new Prober(url, issuers, tokens);
}

describe.each(ADAPTERS)('on %s', (adapter) => {
  // ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  // FINDING 1 — HEAD: the GET of a more specific path shadows the HEAD operation of a less specific one.
  // Setup: spec `/shelves/featured: get (security: [])` and `/shelves/{shelf}: get (security: []), head (beta)`;
  // one handler `@Get(':shelf')` (Express and Fastify both serve HEAD with it).
  // Request: `HEAD /shelves/featured` with no token.
  // ESP: ESPv2 builds one route per operation, matched on path AND `:method`, most specific first, 405 routes last
  // (route_generator.go). There is no HEAD operation on `/shelves/featured`, so HEAD /shelves/featured falls through
  // to `HEAD /shelves/{shelf}`, which needs beta. (ESP never maps HEAD onto a GET operation.)
  // Actual: the handler runs with no user. spec-operation.ts requirementAmong() walks the matching paths most
  // specific first and, per path, takes operationKey(path, 'HEAD'), which falls back to the path's GET: the GET of
  // `/shelves/featured` (public) wins before the HEAD of `/shelves/{shelf}` is ever looked at. settleMethod() uses the
  // same operationKey to pick `top`.
  // Fix: look for a path with the method itself first (the whole list), and only when no matching path lists HEAD
  // fall back to the GET (most specific first) — or treat a HEAD without its own operation as failing closed among
  // the candidates' HEAD and GET operations.
  // ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  describe('FINDING 1: HEAD takes a more specific path’s GET before a less specific path’s HEAD operation', () => {
    @Controller('shelves')
    class HeadShelvesController {
      @Get(':shelf')
      shelf(@UserInfo() user: JwtClaims | undefined, @Param() params: Params) {
        return seen('shelf', user, params);
      }
    }
    let probe: Prober;
    beforeAll(async () => {
      const spec = openApi2(issuers, {
        paths: {
          '/shelves/featured': { get: { security: NONE } },
          '/shelves/{shelf}': { get: { security: NONE }, head: { security: BETA } },
        },
      });
      probe = await probeApp(adapter, spec, [HeadShelvesController]);
    });

    it('controls: GET is open on both; HEAD of another shelf needs beta (its own HEAD operation)', async () => {
      expect(await probe.all({ '/shelves/s1': open('shelf'), '/shelves/featured': open('shelf') })).toEqual({
        '/shelves/s1': open('shelf'),
        '/shelves/featured': open('shelf'),
      });
      expect(await probe.all({ '/shelves/s1': guarded('shelf') }, { method: 'HEAD' })).toEqual({ '/shelves/s1': guarded('shelf') });
    });

    it('HEAD /shelves/featured needs beta, as ESP’s HEAD /shelves/{shelf} route does', async () => {
      expect(await probe.all({ '/shelves/featured': guarded('shelf') }, { method: 'HEAD' })).toEqual({ '/shelves/featured': guarded('shelf') });
    });
  });

  // ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  // FINDING 3 — the method-aware choice skips an alignment: a spec path matching the route as registered (with the
  // global prefix) that does not list GET is passed over for a path matching the route without the prefix.
  // Setup: `app.setGlobalPrefix('api')`, `@Get('docs/:doc')`; spec `/api/docs/{doc}: delete (beta)` and
  // `/docs/{doc}: get (security: [])`.
  // Request: `GET /api/docs/d1`, no token.
  // ESP: sees `/api/docs/d1` and matches `/api/docs/{doc}`, which has no GET: 405, the handler never runs (the old
  // per-path code failed closed here: beta). Only if a proxy stripped `/api` would `/docs/{doc}` apply — the library
  // cannot know which, and the spec describes the prefixed path explicitly.
  // Actual: settleMethod() (route-entry.ts) `continue`s past the first alignment whose candidates list no GET
  // (`unlisted`) and settles on the second alignment's `GET /docs/{doc}`: open. matchingOf() does the same per request.
  // Fix: decide on the first alignment with any candidate (as before), choosing the operation by method within it; if
  // it lists no operation for the method, fail closed (its union) rather than moving to a weaker alignment.
  // ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────
  describe('FINDING 3: a path matching the prefixed route without GET is passed over for the unprefixed path’s GET', () => {
    @Controller('docs')
    class DocsController {
      @Get(':doc')
      doc(@UserInfo() user: JwtClaims | undefined, @Param() params: Params) {
        return seen('doc', user, params);
      }
    }
    let probe: Prober;
    beforeAll(async () => {
      const spec = openApi2(issuers, {
        paths: {
          '/api/docs/{doc}': { delete: { security: BETA } },
          '/docs/{doc}': { get: { security: NONE } },
        },
      });
      probe = await probeApp(adapter, spec, [DocsController], (app) => app.setGlobalPrefix('api'));
    });

    it('GET /api/docs/d1 is not opened by the unprefixed path (ESP: 405 on /api/docs/{doc}; fail closed: beta)', async () => {
      expect(await probe.all({ '/api/docs/d1': guarded('doc') })).toEqual({ '/api/docs/d1': guarded('doc') });
    });
  });

  // Held: POST-only literal vs GET template, Fastify's automatic HEAD and @All() with WebDAV methods.
  describe('holds: the operation chosen per method (POST-only literal, automatic HEAD, @All with PROPFIND)', () => {
    @Controller('racks')
    class RacksController {
      @Get(':rack')
      rack(@UserInfo() user: JwtClaims | undefined, @Param() params: Params) {
        return seen('rack', user, params);
      }
    }
    let probe: Prober;
    beforeAll(async () => {
      const spec = openApi2(issuers, {
        paths: {
          '/racks/featured': { post: { security: NONE } },
          '/racks/{rack}': { get: { security: BETA } },
        },
      });
      probe = await probeApp(adapter, spec, [RacksController]);
    });

    it('GET and HEAD of /racks/featured need the template’s beta (the POST-only literal does not shadow it)', async () => {
      expect(await probe.all({ '/racks/featured': guarded('rack'), '/racks/FEATURED': guarded('rack') })).toEqual({
        '/racks/featured': guarded('rack'),
        '/racks/FEATURED': guarded('rack'),
      });
      expect(await probe.all({ '/racks/featured': guarded('rack'), '/racks/r1': guarded('rack') }, { method: 'HEAD' })).toEqual({
        '/racks/featured': guarded('rack'),
        '/racks/r1': guarded('rack'),
      });
    });
  });
});

// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
// usage.rules
// ─────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
@Controller()
class HealthGrpcController {
  @GrpcMethod('Health', 'Check')
  check(_request: unknown, @UserInfo() user: JwtClaims | undefined) {
    return replyOf('Check', user);
  }

  @GrpcMethod('Health', 'Ping')
  ping(_request: unknown, @UserInfo() user: JwtClaims | undefined) {
    return replyOf('Ping', user);
  }
}

@Controller()
class HealthHttpController {
  @Get('check')
  check(@UserInfo() user?: JwtClaims) {
    return seen('check', user);
  }
}

/** A service config with one provider, the given authentication rules and usage; Check bound to GET /check. */
function keyedConfig(authRules: object[], usage: object) {
  return {
    type: 'google.api.Service',
    name: issuers.service,
    authentication: {
      providers: [{ id: 'alpha', issuer: issuers.alpha.issuer, jwks_uri: issuers.alpha.jwksUri, audiences: 'alpha-audience' }],
      rules: authRules,
    },
    http: { rules: [{ selector: 'test.auth.Health.Check', get: '/check' }] },
    usage,
  };
}

/** Every method may be called without a key except Check (a common shape: an open API with one metered method). */
const CHECK_NEEDS_KEY = {
  rules: [
    { selector: '*', allow_unregistered_calls: true },
    { selector: 'test.auth.Health.Check', allow_unregistered_calls: false },
  ],
};

// ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
// FINDING 2 — a service configuration with no `authentication.rules` (an API that authenticates callers by API key
// only, or whose providers are not yet used by any rule) ignores `usage.rules` for every gRPC method.
// Setup: service config, `authentication.rules: []`, usage.rules `* → allow_unregistered_calls: true` then
// `test.auth.Health.Check → false`; apiKeys validator set (the app starts: start-up does see Check needs a key).
// Request: gRPC `test.auth.Health/Check` with no `x-api-key`.
// ESP: Check does not allow unregistered calls: Service Control refuses it without a key (UNAUTHENTICATED, "Method
// doesn't allow unregistered callers").
// Actual: OK, the handler runs. route-requirements.ts rpcRequirementFor() returns `this.spec.apiRequirement` when
// `this.spec.rules.length === 0`, before needsApiKey(usage, method) is consulted; apiRequirement carries only what
// the `*` usage rule says (needsApiKey(usage, '')): no key. The same route over HTTP (GET /check, bound by http.rules)
// does need a key (readHttpRules asks needsApiKey per selector) — the two transports disagree.
// Fix: apply `withApiKey(lastMatchingRule(rules, method)?.requirement, needsApiKey(usage, method))` whenever `usage` is set, whether
// or not there are authentication rules (only the OpenAPI case, with no usage, should return the API level).
// ───────────────────────────────────────────────────────────────────────────────────────────────────────────────────────
describe('FINDING 2: usage.rules are ignored for gRPC methods when authentication.rules is empty', () => {
  let app: INestMicroservice;
  let client: grpc.Client;
  beforeAll(async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: keyedConfig([], CHECK_NEEDS_KEY), apiKeys: recordingValidator('sync') })], controllers: [HealthGrpcController] })
    class GrpcModule {}
    const started = await startGrpcApp(GrpcModule);
    app = started.app;
    client = grpcClients(started.address).get('test.auth.Health')!;
  });
  afterAll(async () => {
    client?.close();
    await app?.close();
  });

  it('control: Ping (allowed by the * rule) needs no key; Check with a good key runs', async () => {
    expect((await unary(client, 'Ping')).code).toBe(OK);
    expect((await unary(client, 'Check', {}, { 'x-api-key': GOOD_KEY })).code).toBe(OK);
  });

  it('Check without a key is refused, as ESP’s Service Control would', async () => {
    expect(await unary(client, 'Check')).toEqual({ code: UNAUTHENTICATED, details: MISSING_MESSAGE });
  });
});

describe.each(ADAPTERS)('holds: usage.rules over HTTP on %s', (adapter) => {
  it('GET /check (bound to Check) needs a key even with no authentication rules', async () => {
    const { url } = apps.track(await boot(adapter, { spec: keyedConfig([], CHECK_NEEDS_KEY), apiKeys: recordingValidator('sync') }, [HealthHttpController]));
    expect((await call(`${url}/check`)).body.errorCode).toBe('API_KEY_MISSING');
    expect((await call(`${url}/check?key=${GOOD_KEY}`)).body).toEqual(seen('check', undefined));
  });

  it('camelCase allowUnregisteredCalls: false after a snake_case * allow still asks for the key', async () => {
    const usage = { rules: [{ selector: '*', allow_unregistered_calls: true }, { selector: 'test.auth.Health.*', allowUnregisteredCalls: false }] };
    const rules = [{ selector: 'test.auth.Health.Ping', requirements: [{ provider_id: 'alpha' }] }];
    const { url } = apps.track(await boot(adapter, { spec: keyedConfig(rules, usage), apiKeys: recordingValidator('sync') }, [HealthHttpController]));
    expect((await call(`${url}/check`)).body.errorCode).toBe('API_KEY_MISSING');
  });
});

describe('holds: usage.rules over gRPC with authentication rules (wildcard selector, camelCase, last rule wins)', () => {
  let app: INestMicroservice;
  let client: grpc.Client;
  beforeAll(async () => {
    const usage = {
      rules: [
        { selector: 'test.auth.Health.*', allowUnregisteredCalls: true },
        { selector: 'test.auth.Health.Check', allowUnregisteredCalls: false },
      ],
    };
    const rules = [{ selector: 'test.auth.Health.Check', requirements: [{ provider_id: 'alpha' }] }];
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: keyedConfig(rules, usage), apiKeys: recordingValidator('sync') })], controllers: [HealthGrpcController] })
    class GrpcModule {}
    const started = await startGrpcApp(GrpcModule);
    app = started.app;
    client = grpcClients(started.address).get('test.auth.Health')!;
  });
  afterAll(async () => {
    client?.close();
    await app?.close();
  });

  it('Check (alpha) needs its token and a key; Ping (allowed by the wildcard, no auth rule) needs neither', async () => {
    const auth = bearerMetadata(tokens.alpha());
    expect(await unary(client, 'Check', {}, auth)).toEqual({ code: UNAUTHENTICATED, details: MISSING_MESSAGE });
    expect((await unary(client, 'Check', {}, { ...auth, 'x-api-key': GOOD_KEY })).code).toBe(OK);
    expect((await unary(client, 'Ping')).code).toBe(OK);
  });
});
