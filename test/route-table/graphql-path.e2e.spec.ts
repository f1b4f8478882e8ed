/**
 * A GraphQL driver's endpoint is not a controller route, so it is outside the route table: an undecorated resolver
 * gets the spec path its endpoint was routed on — the route the router reports (Fastify, Mercurius), else the
 * request target without what routers drop before matching (query, fragment, the origin of an absolute-form target).
 */
import type { ExecutionContext } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type HttpRequestLike, RouteRequirements } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { startWith } from '../api-config/spec-kit.js';

class BooksResolver {
  books() {
    return [];
  }
}

/** The context Nest's GraphQL drivers hand a guard: type `graphql`, the request in the third argument. */
function graphqlContext(request: HttpRequestLike): ExecutionContext {
  const context = new ExecutionContextHost([{}, {}, { req: request }, {}], BooksResolver, BooksResolver.prototype.books);
  context.setType('graphql');
  return context;
}

describe('what an undecorated GraphQL resolver requires', () => {
  let issuers: Issuers;
  let routes: RouteRequirements;
  let close: () => Promise<void>;

  beforeAll(async () => {
    issuers = await startIssuers();
    const spec = openApi2(issuers, { paths: { '/graphql': { post: { security: [{ beta: [] }] } } } });
    const { app } = await startWith({ imports: [EndpointsAuthModule.forRoot({ spec })] }, 'express');
    routes = app.get(RouteRequirements);
    close = () => app.close();
  });
  afterAll(async () => {
    await close?.();
    await issuers?.server.stop();
  });

  const providersFor = (request: Partial<HttpRequestLike>) =>
    routes.requirementFor(graphqlContext({ method: 'POST', headers: {}, ...request }), { method: 'POST', headers: {}, ...request })?.providers;

  it.each([
    ['/graphql'],
    ['/graphql?query=x'],
    ['/graphql#x'],
    ['/graphql#/../other'],
    ['http://evil.example/graphql'],
    ['HTTP://evil.example:8080/graphql?x=1#y'],
  ])('POST %s needs the endpoint’s definition', (originalUrl) => {
    expect(providersFor({ originalUrl })).toEqual(['beta']);
  });

  it('takes the route the router reports over the request text (Fastify decodes before it routes)', () => {
    expect(providersFor({ url: '/%67raphql', routeOptions: { url: '/graphql' } })).toEqual(['beta']);
  });

  it('leaves another path to the API level (none here)', () => {
    expect(providersFor({ originalUrl: '/other' })).toBeUndefined();
  });
});
