/**
 * Resolvers on Apollo (Express) and Mercurius (Fastify) over real sockets: `@Secured` / `@Public` on resolver classes
 * and methods (queries, a mutation, a field resolver), an undecorated resolver held to the spec operation of the
 * GraphQL endpoint's path, `@UserInfo()` in each, and a refusal answered as a GraphQL error with ESP's message,
 * `extensions.code` UNAUTHENTICATED or FORBIDDEN and `extensions.errorCode` — the same JSON on both drivers.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { Apps, bearer, startApp } from '../support/app.js';
import { claims, nowSeconds, signJwt } from '../support/keys.js';
import { DRIVERS, gql, graphqlAppModule, graphqlSpec } from './graphql-kit.js';

/** One refusal as both drivers write it. */
const refusal = (message: string, code: string, errorCode: string, path: (string | number)[], column: number) => ({
  message,
  locations: [{ line: 1, column }],
  path,
  extensions: { code, errorCode },
});

describe.each(DRIVERS)('GraphQL resolvers on %s (%s)', (driver, adapter) => {
  let issuers: Issuers;
  let url: string;
  const apps = new Apps();
  const alpha = (overrides: Record<string, unknown> = {}) =>
    signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', { email: 'a@example.com', ...overrides }));
  const beta = () => signJwt(issuers.beta.key, claims(issuers.beta.issuer, issuers.service, { sub: 'beta-user' }));

  beforeAll(async () => {
    issuers = await startIssuers();
    ({ url } = apps.track(await startApp(graphqlAppModule(driver, { spec: graphqlSpec(issuers) }), adapter)));
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  it('refuses a secured query without a token: "Jwt is missing", UNAUTHENTICATED, status 200, no challenge', async () => {
    const answer = await gql(url, '{ me { sub } }');
    expect(answer.status).toBe(200);
    expect(answer.headers.get('www-authenticate')).toBeNull();
    expect(answer.body).toEqual({ data: null, errors: [refusal('Jwt is missing', 'UNAUTHENTICATED', 'MISSING_TOKEN', ['me'], 3)] });
  });

  it('refuses an expired token: "Jwt is expired", UNAUTHENTICATED', async () => {
    const expired = alpha({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 });
    const answer = await gql(url, '{ me { sub } }', bearer(expired));
    expect(answer.body).toEqual({ data: null, errors: [refusal('Jwt is expired', 'UNAUTHENTICATED', 'TOKEN_EXPIRED', ['me'], 3)] });
  });

  it('refuses a wrong audience with FORBIDDEN, as ESP answers 403', async () => {
    const wrong = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'someone-else'));
    const answer = await gql(url, '{ me { sub } }', bearer(wrong));
    expect(answer.body).toEqual({
      data: null,
      errors: [refusal('Audiences in Jwt are not allowed', 'FORBIDDEN', 'AUDIENCE_NOT_ALLOWED', ['me'], 3)],
    });
  });

  it('hands a valid token’s claims to a query and a mutation through @UserInfo()', async () => {
    const token = alpha();
    expect((await gql(url, '{ me { iss sub email } }', bearer(token))).body).toEqual({
      data: { me: { iss: issuers.alpha.issuer, sub: 'user-1', email: 'a@example.com' } },
    });
    const added = await gql(url, 'mutation Add($title: String!) { addBook(title: $title) { id title } }', bearer(token), { title: 'Emma' });
    expect(added.body).toEqual({ data: { addBook: { id: 'by-user-1', title: 'Emma' } } });
  });

  it('refuses a secured mutation without a token', async () => {
    const answer = await gql(url, 'mutation { addBook(title: "x") { id } }');
    expect(answer.body).toEqual({ data: null, errors: [refusal('Jwt is missing', 'UNAUTHENTICATED', 'MISSING_TOKEN', ['addBook'], 12)] });
  });

  it('leaves public resolvers open (a method, and a method of a secured class)', async () => {
    expect((await gql(url, '{ publicBooks { id title } adminHello }')).body).toEqual({
      data: { publicBooks: [{ id: '1', title: 'Dune' }], adminHello: 'hello' },
    });
  });

  it('holds an undecorated resolver to the spec operation of the endpoint’s path (POST /graphql needs alpha)', async () => {
    expect((await gql(url, '{ books { id } }')).body).toEqual({
      data: null,
      errors: [refusal('Jwt is missing', 'UNAUTHENTICATED', 'MISSING_TOKEN', ['books'], 3)],
    });
    expect((await gql(url, '{ books { id } }', bearer(alpha()))).body).toEqual({ data: { books: [{ id: '1' }] } });
    // A beta token is another definition's: the endpoint's alpha-only operation does not know its issuer.
    expect((await gql(url, '{ books { id } }', bearer(beta()))).body).toEqual({
      data: null,
      errors: [refusal('Jwt issuer is not configured', 'UNAUTHENTICATED', 'UNKNOWN_ISSUER', ['books'], 3)],
    });
  });

  it('applies a class-level @Secured to its methods', async () => {
    expect((await gql(url, '{ adminNote }', bearer(beta()))).body).toEqual({ data: { adminNote: `note for ${issuers.beta.issuer}` } });
    expect((await gql(url, '{ adminNote }')).body).toEqual({
      data: null,
      errors: [refusal('Jwt is missing', 'UNAUTHENTICATED', 'MISSING_TOKEN', ['adminNote'], 3)],
    });
  });

  it('guards a field resolver: its refusal leaves the rest of the result; a valid token reaches it with its claims', async () => {
    const refused = await gql(url, '{ publicBooks { id secret } }');
    // Mercurius writes a list index in an error's path as a string, whatever the error; Apollo as a number.
    const index = driver === 'mercurius' ? '0' : 0;
    expect(refused.body).toEqual({
      data: { publicBooks: [{ id: '1', secret: null }] },
      errors: [refusal('Jwt is missing', 'UNAUTHENTICATED', 'MISSING_TOKEN', ['publicBooks', index, 'secret'], 20)],
    });
    expect((await gql(url, '{ publicBooks { id secret } }', bearer(beta()))).body).toEqual({
      data: { publicBooks: [{ id: '1', secret: '1 for beta-user' }] },
    });
  });
});
