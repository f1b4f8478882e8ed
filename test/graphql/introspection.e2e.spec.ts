/**
 * Introspection (`__schema`, `__type`) has no resolver, so no guard sees it: `EndpointsAuthIntrospection` holds it to
 * what the spec requires of the GraphQL endpoint's path, through Apollo's plugin and Mercurius's hook, over real
 * sockets. An operation that selects it at any depth (fragments, aliases) is refused as a whole with a resolver
 * refusal's error; `__typename` stays free; an endpoint the spec leaves open answers it to anyone.
 */
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { type DynamicModule, type ExecutionContext, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthIntrospection, EndpointsAuthModule, type EndpointsAuthModuleOptions } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { Apps, bearer, call, startApp } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { AdminResolver, BooksResolver, DRIVERS, type DriverName, gql, graphqlSpec } from './graphql-kit.js';
import { type WsClient, subscriptionStarter } from './subscription-kit.js';

/** The app: the library (global, for the GraphQL module's factory) and the driver with the introspection check. */
function introspectionAppModule(driver: DriverName, options: EndpointsAuthModuleOptions): DynamicModule {
  const graphql =
    driver === 'apollo'
      ? GraphQLModule.forRootAsync<ApolloDriverConfig>({
          driver: ApolloDriver,
          inject: [EndpointsAuthIntrospection],
          useFactory: (auth: EndpointsAuthIntrospection) => ({
            autoSchemaFile: true,
            fieldResolverEnhancers: ['guards'],
            plugins: [auth.apolloPlugin()],
          }),
        })
      : GraphQLModule.forRootAsync<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          inject: [EndpointsAuthIntrospection],
          useFactory: (auth: EndpointsAuthIntrospection) => ({
            autoSchemaFile: true,
            fieldResolverEnhancers: ['guards'],
            hooks: auth.mercuriusHooks(),
          }),
        });
  @Module({})
  class IntrospectionAppModule {}
  return {
    module: IntrospectionAppModule,
    imports: [EndpointsAuthModule.forRoot({ ...options, isGlobal: true }), graphql],
    providers: [BooksResolver, AdminResolver],
  };
}

/** A refused operation: no data (Mercurius writes `data: null`, Apollo leaves it out), one error at the field. */
function refused(body: unknown, message: string, code: string, errorCode: string, locations: { line: number; column: number }[]) {
  expect(body).toMatchObject({ errors: [{ message, locations, extensions: { code, errorCode } }] });
  const { data, errors } = body as { data?: unknown; errors: unknown[] };
  expect(data ?? null).toBeNull();
  expect(errors).toHaveLength(1);
}

describe.each(DRIVERS)('introspection on %s (%s)', (driver, adapter) => {
  let issuers: Issuers;
  let url: string;
  let openUrl: string;
  const apps = new Apps();
  const alpha = () => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));

  beforeAll(async () => {
    issuers = await startIssuers();
    ({ url } = apps.track(await startApp(introspectionAppModule(driver, { spec: graphqlSpec(issuers) }), adapter)));
    // POST /graphql is open in this spec (only another path is protected): introspection is answered to anyone.
    const open = openApi2(issuers, { paths: { '/graphql': { post: {} }, '/admin': { get: { security: [{ alpha: [] }] } } } });
    ({ url: openUrl } = apps.track(await startApp(introspectionAppModule(driver, { spec: open }), adapter)));
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  it('refuses __schema without a token: "Jwt is missing", UNAUTHENTICATED, status 200, no challenge', async () => {
    const answer = await gql(url, '{ __schema { queryType { name } } }');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('www-authenticate')).toBeNull();
    refused(answer.body, 'Jwt is missing', 'UNAUTHENTICATED', 'MISSING_TOKEN', [{ line: 1, column: 3 }]);
  });

  it('refuses __type behind an alias, in a named fragment and in an inline fragment, at depth', async () => {
    const named = await gql(url, 'query { ...Meta } fragment Meta on Query { t: __type(name: "Book") { name } }');
    refused(named.body, 'Jwt is missing', 'UNAUTHENTICATED', 'MISSING_TOKEN', [{ line: 1, column: 44 }]);
    const inline = await gql(url, '{ publicBooks { id } ... on Query { ... { s: __schema { types { name } } } } }');
    refused(inline.body, 'Jwt is missing', 'UNAUTHENTICATED', 'MISSING_TOKEN', [{ line: 1, column: 43 }]);
  });

  it('refuses a wrong audience with FORBIDDEN', async () => {
    const wrong = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'someone-else'));
    const answer = await gql(url, '{ __schema { queryType { name } } }', bearer(wrong));
    refused(answer.body, 'Audiences in Jwt are not allowed', 'FORBIDDEN', 'AUDIENCE_NOT_ALLOWED', [{ line: 1, column: 3 }]);
  });

  it('answers introspection to a valid token of the endpoint’s definition', async () => {
    const answer = await gql(url, '{ __schema { queryType { name } } t: __type(name: "Book") { name } }', bearer(alpha()));
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } }, t: { name: 'Book' } } });
  });

  it('leaves __typename free, and operations without introspection to the resolvers’ guards', async () => {
    const answer = await gql(url, '{ __typename publicBooks { __typename id } }');
    expect(answer.body).toEqual({ data: { __typename: 'Query', publicBooks: [{ __typename: 'Book', id: '1' }] } });
  });

  it('answers introspection without a token where the spec leaves POST /graphql open', async () => {
    const answer = await gql(openUrl, '{ __schema { queryType { name } } }');
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});

describe.each(DRIVERS)('introspection where the endpoint needs an API key, on %s (%s)', (driver, adapter) => {
  let issuers: Issuers;
  let url: string;
  const apps = new Apps();
  const contexts: string[] = [];
  const introspect = (search: string) =>
    call(`${url}/graphql${search}`, { method: 'POST', body: { query: '{ __schema { queryType { name } } }' } });

  beforeAll(async () => {
    issuers = await startIssuers();
    const spec = openApi2(issuers, { paths: { '/graphql': { post: { security: [{ api_key: [] }] } } } });
    const validate = (key: string, context: ExecutionContext) => {
      contexts.push(context.getType());
      return key === 'good';
    };
    ({ url } = apps.track(await startApp(introspectionAppModule(driver, { spec, apiKeys: { validate } }), adapter)));
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  it('refuses it without a key or with a key the validator refuses, and answers it with a good one', async () => {
    refused((await introspect('')).body, 'Method doesn\'t allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.', 'UNAUTHENTICATED', 'API_KEY_MISSING', [{ line: 1, column: 3 }]);
    refused((await introspect('?key=bad')).body, 'API key not valid. Please pass a valid API key.', 'UNAUTHENTICATED', 'API_KEY_INVALID', [{ line: 1, column: 3 }]);
    expect((await introspect('?key=good')).body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
    // The validator is handed a GraphQL context, as for a resolver.
    expect(contexts.slice(0, 2)).toEqual(['graphql', 'graphql']);
  });
});

/**
 * Operations sent over graphql-ws pass through neither Apollo's plugins nor Mercurius's hooks: `graphqlWs()`'s
 * `onSubscribe` holds introspection there to the endpoint's requirement, with the connection's request.
 */
describe('introspection over graphql-ws (Apollo, Express)', () => {
  let issuers: Issuers;
  const apps = new Apps();
  const clients: WsClient[] = [];
  const start = subscriptionStarter(apps, clients, () => issuers);
  let connect: Awaited<ReturnType<typeof start>>['connect'];
  const wsRefusal = (id: string, message: string, errorCode: string) => ({
    id,
    type: 'error',
    payload: [{ message, locations: [{ line: 1, column: 3 }], extensions: { code: 'UNAUTHENTICATED', errorCode } }],
  });

  beforeAll(async () => {
    issuers = await startIssuers();
    ({ connect } = await start({ anonymous: true }));
  });
  afterEach(() => {
    clients.splice(0).forEach((client) => client.close());
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  it('refuses __schema on an anonymous connection, and leaves __typename and the connection alone', async () => {
    const client = await connect();
    expect(await client.frame(0)).toEqual({ type: 'connection_ack' });
    client.subscribe('1', '{ __schema { queryType { name } } }');
    expect(await client.frame(1)).toEqual(wsRefusal('1', 'Jwt is missing', 'MISSING_TOKEN'));
    client.subscribe('2', '{ __typename }');
    expect(await client.frame(2)).toEqual({ id: '2', type: 'next', payload: { data: { __typename: 'Query' } } });
    expect(client.open).toBe(true);
  });

  it('refuses __type under an alias in a fragment, sent as a query over the socket', async () => {
    const client = await connect();
    expect(await client.frame(0)).toEqual({ type: 'connection_ack' });
    client.subscribe('1', 'query Q { ...F } fragment F on Query { t: __type(name: "Query") { name } }');
    expect(await client.frame(1)).toEqual({
      ...wsRefusal('1', 'Jwt is missing', 'MISSING_TOKEN'),
      payload: [expect.objectContaining({ locations: [{ line: 1, column: 40 }] })],
    });
  });

  it('answers it on a connection with the endpoint’s token', async () => {
    const client = await connect({ Authorization: `Bearer ${signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'))}` });
    expect(await client.frame(0)).toEqual({ type: 'connection_ack' });
    client.subscribe('1', '{ __schema { queryType { name } } }');
    expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { __schema: { queryType: { name: 'Query' } } } } });
  });
});
