/**
 * GraphQL over HTTP with a cookie token: what a cross-site form can make the browser send (a "simple" request:
 * POST text/plain, or GET) must not run a mutation as the user, on Apollo (its csrfPrevention, which docs/cookies.md
 * says to keep on) and on Mercurius (a text body is not an object; a mutation over GET is refused). Not the library's
 * doing: this pins what the cookie page relies on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { Apps, startApp } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { DRIVERS, graphqlAppModule, graphqlSpec } from '../graphql/graphql-kit.js';

let issuers: Issuers;
beforeAll(async () => {
  issuers = await startIssuers();
});
afterAll(() => issuers?.server.stop());

function cookieSpec() {
  const document = graphqlSpec(issuers);
  const alpha = (document.securityDefinitions as Record<string, Record<string, unknown>>)['alpha']!;
  alpha['x-google-jwt-locations'] = [{ cookie: 'session' }];
  return document;
}

describe.each(DRIVERS)('cross-site GraphQL requests with a cookie token on %s', (driver, adapter) => {
  const apps = new Apps();
  let url: string;
  let cookie: string;
  beforeAll(async () => {
    ({ url } = apps.track(await startApp(graphqlAppModule(driver, { spec: cookieSpec() }), adapter)));
    cookie = `session=${signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'))}`;
  });
  afterAll(() => apps.closeAll());

  it('runs the mutation for a JSON POST (the page itself)', async () => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ query: 'mutation { addBook(title: "x") { id } }' }),
    });
    expect(await response.json()).toEqual({ data: { addBook: { id: 'by-user-1' } } });
  });

  it('never runs it for a text/plain POST (a cross-site form)', async () => {
    const response = await fetch(`${url}/graphql`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'text/plain' },
      body: JSON.stringify({ query: 'mutation { addBook(title: "x") { id } }' }),
    });
    const text = await response.text();
    expect(text).not.toContain('by-user-1');
  });

  it('never runs it for a GET (a cross-site link)', async () => {
    const query = encodeURIComponent('mutation { addBook(title: "x") { id } }');
    const response = await fetch(`${url}/graphql?query=${query}`, { headers: { cookie } });
    const text = await response.text();
    expect(text).not.toContain('by-user-1');
  });
});
