/**
 * What an undecorated resolver requires is matched once per method and endpoint path, logged the first time (the
 * GraphQL endpoint is not in the route table's log), and the memo is bounded: on Express the path is the request's
 * own text, so a client cannot grow it without end.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENDPOINTS_AUTH_SPEC, EndpointsAuthModule } from '../../lib/index.js';
import type { ResolvedSpec } from '../../lib/api-config/resolved-spec.js';
import { EndpointPathRequirements } from '../../lib/routes/endpoint-path-requirements.js';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { CapturingLogger, startWith } from '../api-config/spec-kit.js';
import { type AdapterName, Apps, bearer } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { BooksResolver, DRIVERS, gql, graphqlModule, graphqlSpec } from './graphql-kit.js';

describe('the GraphQL endpoint’s requirement', () => {
  let issuers: Issuers;
  const apps = new Apps();

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  it.each(DRIVERS)('is logged once per path on %s, on the first request that needs it', async (driver, adapter: AdapterName) => {
    const logger = new CapturingLogger();
    const metadata = { imports: [EndpointsAuthModule.forRoot({ spec: graphqlSpec(issuers) }), graphqlModule(driver)], providers: [BooksResolver] };
    const { url } = apps.track(await startWith(metadata, adapter, logger));
    const token = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));
    for (let round = 0; round < 3; round++) expect((await gql(url, '{ books { id } }', bearer(token))).body).toEqual({ data: { books: [{ id: '1' }] } });
    const lines = logger.lines.filter((line) => line.message.startsWith('GraphQL '));
    expect(lines).toEqual([{ level: 'verbose', message: 'GraphQL POST /graphql → alpha (undecorated resolvers)', context: 'EndpointsAuthRoutes' }]);
  });

  it('keeps at most 32 paths, and answers the same past them', async () => {
    const { app } = apps.track(await startWith({ imports: [EndpointsAuthModule.forRoot({ spec: graphqlSpec(issuers) })] }, 'express'));
    const logged: string[] = [];
    const requirements = new EndpointPathRequirements(app.get<ResolvedSpec>(ENDPOINTS_AUTH_SPEC), { verbose: (line: string) => logged.push(line) } as never, 'GraphQL', 'undecorated resolvers');
    const providers = (url: string) => requirements.requirementFor({ method: 'POST', url, headers: {} })?.providers;
    for (let index = 0; index < 40; index++) expect(providers(`/graphql/${index}`)).toBeUndefined();
    expect(logged).toHaveLength(32);
    // Past the bound, each path is matched on its own: the endpoint still needs its token.
    expect(providers('/graphql')).toEqual(['alpha']);
    expect(providers('/GraphQL')).toEqual(['alpha']);
    expect(logged).toHaveLength(32);
  });
});
