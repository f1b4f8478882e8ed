/**
 * Ways around a resolver's guard, tried on Apollo (Express) and Mercurius (Fastify) over real sockets, under a spec
 * that protects only `POST /graphql` (no API-level security): batched operations (a mutation among them), aliases,
 * fragments, a union, GET queries, other spellings of the endpoint path. Each protected field is refused on its own.
 * Introspection is the exception: no resolver answers `__schema`, so no guard sees it (docs/graphql.md); the
 * documented `NoSchemaIntrospectionCustomRule` closes it.
 */
import { createRequire } from 'node:module';
import { Module } from '@nestjs/common';
import { Field, ObjectType, Query, Resolver, createUnionType } from '@nestjs/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, Public } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { Apps, bearer, call, startApp } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { AdminResolver, Book, BooksResolver, DRIVERS, graphqlModule } from '../graphql/graphql-kit.js';

@ObjectType()
class Author {
  @Field()
  name: string;
}

// The drivers load graphql's CommonJS build (as Node does for an app's `import 'graphql'`); Vite would load its ES
// build, another realm whose rules the schema refuses.
const { NoSchemaIntrospectionCustomRule } = createRequire(import.meta.url)('graphql') as typeof import('graphql');

const SearchResult = createUnionType({ name: 'SearchResult', types: () => [Book, Author] as const });

/** A public query returning a union, one of whose members has a secured field resolver (`Book.secret`: beta). */
@Resolver()
class SearchResolver {
  @Public()
  @Query(() => [SearchResult])
  search(): (Book | Author)[] {
    return [Object.assign(new Book(), { id: '1', title: 'Dune' }), Object.assign(new Author(), { name: 'Herbert' })];
  }
}

const missing = (path: (string | number)[]) =>
  expect.objectContaining({ message: 'Jwt is missing', path, extensions: { code: 'UNAUTHENTICATED', errorCode: 'MISSING_TOKEN' } });

describe.each(DRIVERS)('GraphQL guard bypass attempts on %s (%s)', (driver, adapter) => {
  let issuers: Issuers;
  let url: string;
  const apps = new Apps();
  // Apollo's CSRF prevention refuses a GET without a header that forces a preflight; an attacker's client sends one.
  const post = (body: unknown, path = '/graphql', headers: Record<string, string> = {}) =>
    call(`${url}${path}`, { method: 'POST', body, headers: { 'apollo-require-preflight': '1', ...headers } });

  beforeAll(async () => {
    issuers = await startIssuers();
    const spec = openApi2(issuers, { paths: { '/graphql': { post: { security: [{ alpha: [] }] } } } });
    const batching = driver === 'apollo' ? { allowBatchedHttpRequests: true } : { allowBatchedQueries: true };
    @Module({
      imports: [EndpointsAuthModule.forRoot({ spec }), graphqlModule(driver, batching)],
      providers: [BooksResolver, AdminResolver, SearchResolver],
    })
    class BypassAppModule {}
    ({ url } = apps.track(await startApp(BypassAppModule, adapter)));
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  it('refuses each protected operation of a batch, a mutation among queries too, and answers the public one', async () => {
    const answer = await post([{ query: '{ publicBooks { id } }' }, { query: '{ books { id } }' }, { query: 'mutation { addBook(title: "x") { id } }' }]);
    expect(answer.body).toEqual([
      { data: { publicBooks: [{ id: '1' }] } },
      { data: null, errors: [missing(['books'])] },
      { data: null, errors: [missing(['addBook'])] },
    ]);
  });

  it('refuses every alias of a protected field', async () => {
    const answer = await post({ query: '{ a: me { sub } b: me { sub } c: books { id } }' });
    expect(answer.body.data).toBeNull();
    expect(answer.body.errors[0]).toEqual(missing([expect.stringMatching(/^[abc]$/)]));
  });

  it('refuses a protected field reached through a fragment, an inline fragment or a union member', async () => {
    const fragment = await post({ query: '{ publicBooks { id ...F } } fragment F on Book { secret }' });
    expect(fragment.body).toEqual({ data: { publicBooks: [{ id: '1', secret: null }] }, errors: [missing(['publicBooks', expect.anything(), 'secret'])] });
    const union = await post({ query: '{ search { ... on Book { id secret } ... on Author { name } } }' });
    expect(union.body).toEqual({
      data: { search: [{ id: '1', secret: null }, { name: 'Herbert' }] },
      errors: [missing(['search', expect.anything(), 'secret'])],
    });
  });

  it('holds a GET query to what the spec says of GET /graphql: no operation, so it fails closed (POST’s token)', async () => {
    const query = encodeURIComponent('{ books { id } }');
    const refused = await call(`${url}/graphql?query=${query}`, { headers: { 'apollo-require-preflight': '1' } });
    expect(refused.body.errors).toEqual([missing(['books'])]);
    const token = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));
    const accepted = await call(`${url}/graphql?query=${query}`, { headers: { 'apollo-require-preflight': '1', ...bearer(token) } });
    expect(accepted.body).toEqual({ data: { books: [{ id: '1' }] } });
  });

  it('holds other spellings of the endpoint path the router serves to the same operation', async () => {
    for (const path of ['/graphql/', '/GRAPHQL', '/graphql?x=1#y']) {
      const answer = await post({ query: '{ books { id } }' }, path);
      // Fastify serves only /graphql (404 elsewhere); Express serves them all, each refused.
      if (answer.status === 404) expect(driver).toBe('mercurius');
      else expect(answer.body).toEqual({ data: null, errors: [missing(['books'])] });
    }
  });

  it('answers introspection without a token: no resolver, so no guard, answers __schema', async () => {
    expect((await post({ query: '{ __schema { queryType { name } } }' })).body).toEqual({ data: { __schema: { queryType: { name: 'Query' } } } });
  });
});

describe.each(DRIVERS)('introspection closed as docs/graphql.md says, on %s (%s)', (driver, adapter) => {
  let issuers: Issuers;
  const apps = new Apps();

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  it('refuses __schema and __type with NoSchemaIntrospectionCustomRule; resolvers still answer', async () => {
    const spec = openApi2(issuers, { paths: { '/graphql': { post: { security: [{ alpha: [] }] } } } });
    @Module({
      imports: [EndpointsAuthModule.forRoot({ spec }), graphqlModule(driver, { validationRules: [NoSchemaIntrospectionCustomRule] })],
      providers: [BooksResolver],
    })
    class ClosedAppModule {}
    const { url } = apps.track(await startApp(ClosedAppModule, adapter));
    for (const query of ['{ __schema { queryType { name } } }', '{ __type(name: "Book") { name } }']) {
      const answer = await call(`${url}/graphql`, { method: 'POST', body: { query } });
      expect(answer.body.data ?? null).toBeNull();
      expect(answer.body.errors[0].message).toMatch(/^GraphQL introspection has been disabled, but the requested query contained the field "__(schema|type)"\.$/);
    }
    expect((await call(`${url}/graphql`, { method: 'POST', body: { query: '{ publicBooks { id } }' } })).body).toEqual({ data: { publicBooks: [{ id: '1' }] } });
  });
});
