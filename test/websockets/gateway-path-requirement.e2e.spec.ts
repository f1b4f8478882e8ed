/**
 * `RouteRequirements.gatewayPathRequirementFor`, the memo a WebSocket handshake now asks, answers exactly what the
 * handshake computed for itself before (`matchSpecPath` of a GET of the routed path), first time and from the memo:
 * with and without paths or API-level `security`, path templates, `x-security` audiences, an unlisted path, a path
 * without a GET, a case-only difference, and the routed path (Express's `route.path`, Fastify's `routeOptions.url`)
 * over the typed URL. Any method the request names, the spec is asked for a GET.
 */
import { Module } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule } from '../../lib/index.js';
import type { ResolvedSpec } from '../../lib/api-config/resolved-spec.js';
import { ENDPOINTS_AUTH_SPEC } from '../../lib/endpoints-auth.constants.js';
import type { SecurityRequirement } from '../../lib/interfaces/requirement.interface.js';
import { matchSpecPath } from '../../lib/routes/match-spec-path.js';
import { RouteRequirements } from '../../lib/routes/route-requirements.js';
import { routedPathOf } from '../../lib/routes/route-template.util.js';
import type { HttpRequestLike } from '../../lib/token/http-request.interface.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, startAppWith } from '../support/app.js';

/** Requests by name: handshake views (the served path and the client's query) and routed requests. */
const REQUESTS: Record<string, HttpRequestLike> = {
  plain: { method: 'GET', url: '/plain?access_token=x', headers: {} },
  upperCase: { method: 'GET', url: '/PLAIN', headers: {} },
  template: { method: 'GET', url: '/rooms/blue', headers: {} },
  audiences: { method: 'GET', url: '/audiences', headers: {} },
  unlisted: { method: 'GET', url: '/elsewhere', headers: {} },
  postOnly: { method: 'GET', url: '/posts', headers: {} },
  postMethod: { method: 'POST', url: '/posts', headers: {} },
  expressRouted: { method: 'GET', url: '/%70lain', route: { path: '/plain' }, headers: {} },
  fastifyRouted: { method: 'GET', url: '/%70lain', routeOptions: { url: '/plain' }, headers: {} },
  typedOnly: { method: 'GET', url: '/%70lain', headers: {} },
};

const PATHS = {
  '/plain': { get: { security: [{ alpha: [] }] } },
  '/rooms/{room}': { get: { security: [{ beta: [] }] } },
  '/audiences': { get: { 'x-security': [{ alpha: { audiences: ['ws-aud'] } }] } },
  '/posts': { post: { security: [{ beta: [] }] } },
};

/** Specs by name: `openApi2`'s extra fields. */
const SPECS: Record<string, Record<string, unknown>> = {
  'paths and API-level security': { paths: PATHS, security: [{ alpha: [] }] },
  'paths without API-level security': { paths: PATHS },
  'API-level security without paths': { security: [{ beta: [] }] },
  'neither paths nor security': {},
};

/** A requirement as comparable data: `undefined` stays `undefined`. */
const plain = (requirement: SecurityRequirement | undefined) =>
  requirement && { ...requirement, audiences: requirement.audiences && Object.fromEntries(requirement.audiences) };

describe.each(ADAPTERS)('the gateway path memo answers what the handshake matched itself (%s)', (adapter) => {
  let issuers: Issuers;
  const apps = new Apps();

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterEach(() => apps.closeAll());
  afterAll(() => issuers.server.stop());

  async function boot(extra: Record<string, unknown>) {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers, extra) })] })
    class SpecModule {}
    const { app } = apps.track(await startAppWith(SpecModule, adapter, {}));
    return { routes: app.get(RouteRequirements, { strict: false }), spec: app.get<ResolvedSpec>(ENDPOINTS_AUTH_SPEC, { strict: false }) };
  }

  it.each(Object.keys(SPECS))('%s: every request, first time and from the memo', async (name) => {
    const { routes, spec } = await boot(SPECS[name]!);
    for (const [label, request] of Object.entries(REQUESTS)) {
      const before = plain(matchSpecPath(spec, 'GET', [routedPathOf(request)]));
      expect({ label, answer: plain(routes.gatewayPathRequirementFor(request)) }).toEqual({ label, answer: before });
      expect({ label, answer: plain(routes.gatewayPathRequirementFor(request)) }).toEqual({ label, answer: before });
    }
  });

  it('pins the answers themselves, so the comparison above is not of two empty answers', async () => {
    const { routes } = await boot(SPECS['paths and API-level security']!);
    const answer = (label: string) => plain(routes.gatewayPathRequirementFor(REQUESTS[label]!));
    expect(answer('plain')).toEqual({ providers: ['alpha'], optional: false, audiences: undefined });
    expect(answer('upperCase')).toEqual({ providers: ['alpha'], optional: false, audiences: undefined });
    expect(answer('template')).toEqual({ providers: ['beta'], optional: false, audiences: undefined });
    expect(answer('audiences')).toEqual({ providers: ['alpha'], optional: false, audiences: { alpha: ['ws-aud'] } });
    expect(answer('expressRouted')).toEqual(answer('plain'));
    expect(answer('fastifyRouted')).toEqual(answer('plain'));
    // No GET on /posts: ESP answers 405, so the API level (fail closed), whatever the request's own method.
    expect(answer('postOnly')).toEqual({ providers: ['alpha'], optional: false, audiences: undefined });
    expect(answer('postMethod')).toEqual(answer('postOnly'));
    const open = await boot(SPECS['paths without API-level security']!);
    expect(plain(open.routes.gatewayPathRequirementFor(REQUESTS['unlisted']!))).toBeUndefined();
    expect(plain(open.routes.gatewayPathRequirementFor(REQUESTS['typedOnly']!))).toBeUndefined();
    expect(plain(open.routes.gatewayPathRequirementFor(REQUESTS['postOnly']!))).toEqual({ providers: ['beta'], optional: false, audiences: undefined });
    const apiOnly = await boot(SPECS['API-level security without paths']!);
    expect(plain(apiOnly.routes.gatewayPathRequirementFor(REQUESTS['plain']!))).toEqual({ providers: ['beta'], optional: false, audiences: undefined });
  });
});
