/**
 * Every token a graphql-ws client sends in `connectionParams` (`Authorization`, `authorization`, `access_token`) must
 * verify, as every token ESP finds in a request must: one bad token closes the connection even beside a good one,
 * two tokens of different issuers are refused as the same pair is over HTTP, two valid tokens of one issuer pass (the
 * caller is the first's), and the connection ends at the earliest expiry among them. Over real sockets (Apollo,
 * Express), on the test's clock.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { Apps, bearer, call } from '../support/app.js';
import { claims, nowSeconds, signJwt } from '../support/keys.js';
import { type WsClient, subscriptionStarter } from './subscription-kit.js';

const ACK = { type: 'connection_ack' };

describe('graphql-ws connectionParams with several tokens', () => {
  let issuers: Issuers;
  const apps = new Apps();
  const clients: WsClient[] = [];
  const alpha = (overrides: Record<string, unknown> = {}) =>
    signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', overrides));
  const beta = () => signJwt(issuers.beta.key, claims(issuers.beta.issuer, issuers.service, { sub: 'beta-user' }));
  const expired = () => alpha({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 });
  const start = subscriptionStarter(apps, clients, () => issuers);
  let connect: Awaited<ReturnType<typeof start>>['connect'];
  let url: string;

  beforeAll(async () => {
    issuers = await startIssuers();
    ({ connect, url } = await start());
  });
  afterEach(() => {
    clients.splice(0).forEach((client) => client.close());
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  it.each([
    ['Authorization', 'authorization'],
    ['Authorization', 'access_token'],
    ['authorization', 'access_token'],
  ])('closes the connection when %s holds a valid token but %s, read after it, an expired one', async (good, bad) => {
    const value = (name: string, token: string) => (name === 'access_token' ? token : `Bearer ${token}`);
    const client = await connect({ [good]: value(good, alpha()), [bad]: value(bad, expired()) });
    expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is expired' });
  });

  it('refuses an alpha and a beta token together, as the same pair is refused over HTTP', async () => {
    const [alphaToken, betaToken] = [alpha(), beta()];
    const client = await connect({ Authorization: `Bearer ${alphaToken}`, access_token: betaToken });
    expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt issuer is not configured' });
    // The HTTP request carrying the same two tokens where the params stand for them: each definition finds both.
    const answer = await call(`${url}/graphql?access_token=${betaToken}`, { method: 'POST', headers: bearer(alphaToken), body: { query: '{ hello }' } });
    expect(answer.body).toMatchObject({ errors: [{ message: 'Jwt issuer is not configured', extensions: { errorCode: 'UNKNOWN_ISSUER' } }] });
  });

  it('accepts two valid tokens of one issuer and hands the first one’s caller to resolvers', async () => {
    const client = await connect({ Authorization: `Bearer ${alpha({ sub: 'first' })}`, access_token: alpha({ sub: 'second' }) });
    expect(await client.frame(0)).toEqual(ACK);
    client.subscribe('1', 'subscription { ticks }');
    expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { ticks: 'tick for first' } } });
  });

  it('reads access_token when Authorization has no Bearer scheme (that header carries no token, as for ESP)', async () => {
    const client = await connect({ Authorization: 'Basic dXNlcjpwYXNz', access_token: alpha() });
    expect(await client.frame(0)).toEqual(ACK);
  });

  it('ends the connection at the earliest expiry among its tokens', async () => {
    const { clock, connect: connectTo } = await start();
    const soon = nowSeconds() + 120;
    const client = await connectTo({ Authorization: `Bearer ${alpha({ exp: soon + 3600 })}`, access_token: alpha({ exp: soon }) });
    expect(await client.frame(0)).toEqual(ACK);
    // ESP accepts a token until `exp` plus the clock skew (60 s by default): a second later, the request is refused.
    clock.advance((soon + 60) * 1000 - clock.now());
    client.send({ type: 'ping' });
    expect(await client.frame(1)).toEqual({ type: 'pong' });
    clock.advance(1000);
    expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is expired' });
  });
});
