/**
 * x-security on the GraphQL endpoint's operation: undecorated resolvers, over HTTP and over subscriptions on both
 * drivers, are held to the audiences that replace the definition's there, while a spec path that keeps the
 * definition's own audiences does not narrow what a subscription connection accepts at init.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { Apps, bearer, startApp } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { gql } from '../graphql/graphql-kit.js';
import { type SubscriptionDriver, WsClient, subscriptionAppModule } from '../graphql/subscription-kit.js';

const ACK = { type: 'connection_ack' };

/** alpha's own audiences are `alpha-audience` and `second.example.com`; POST /graphql replaces them with `graphql-aud`. */
function specOf(issuers: Issuers) {
  return openApi2(issuers, {
    paths: {
      '/graphql': { post: { 'x-security': [{ alpha: { audiences: ['graphql-aud'] } }] } },
      '/reports': { get: { security: [{ alpha: [] }] } },
    },
  });
}

describe.each([['apollo'], ['mercurius']] as const)('x-security on the GraphQL endpoint (%s)', (driver: SubscriptionDriver) => {
  let issuers: Issuers;
  let url: string;
  const apps = new Apps();
  const clients: WsClient[] = [];
  const alpha = (aud: string | string[], sub = 'user-1') => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, aud, { sub }));

  beforeAll(async () => {
    issuers = await startIssuers();
    const module = subscriptionAppModule({ spec: specOf(issuers) }, {}, driver);
    ({ url } = apps.track(await startApp(module, driver === 'apollo' ? 'express' : 'fastify')));
  });
  afterEach(() => {
    clients.splice(0).forEach((client) => client.close());
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  const connect = async (params: unknown) => {
    const client = await WsClient.connect(url, params);
    clients.push(client);
    return client;
  };

  it('holds an undecorated query to the replaced audiences over HTTP: the definition’s own is refused (403)', async () => {
    const replaced = await gql(url, '{ hello }', bearer(alpha('graphql-aud')));
    expect(replaced.body).toEqual({ data: { hello: 'hello' } });
    const own = await gql(url, '{ hello }', bearer(alpha('alpha-audience')));
    expect(own.body.data).toBeNull();
    expect(own.body.errors).toMatchObject([{ message: 'Audiences in Jwt are not allowed', extensions: { code: 'FORBIDDEN' } }]);
  });

  it('accepts at init a token for the endpoint’s replaced audience, and runs the undecorated subscription with it', async () => {
    const client = await connect({ Authorization: `Bearer ${alpha('graphql-aud', 'graphql-user')}` });
    expect(await client.frame(0)).toEqual(ACK);
    client.subscribe('1', 'subscription { endpointTicks }');
    expect(await client.frame(1)).toMatchObject({ id: '1', type: 'next', payload: { data: { endpointTicks: 'endpoint tick for graphql-user' } } });
  });

  it('accepts at init a token for the definition’s own audience, which the undecorated subscription refuses (403)', async () => {
    const client = await connect({ Authorization: `Bearer ${alpha('alpha-audience')}` });
    expect(await client.frame(0)).toEqual(ACK);
    client.subscribe('1', 'subscription { endpointTicks }');
    const refused = JSON.stringify(await client.frame(1));
    expect(refused).toContain('Audiences in Jwt are not allowed');
    client.subscribe('2', 'subscription { ticks }');
    expect(await client.frame(driver === 'apollo' ? 3 : 2)).toMatchObject({ id: '2', type: 'next', payload: { data: { ticks: 'tick for user-1' } } });
  });

  it('refuses at init a token for neither (4403)', async () => {
    const client = await connect({ Authorization: `Bearer ${alpha('someone-else')}` });
    expect(await client.closed).toEqual({ code: 4403, reason: 'Audiences in Jwt are not allowed' });
  });
});

describe('x-security on every operation of a definition, with @Secured subscriptions (apollo)', () => {
  let issuers: Issuers;
  let url: string;
  const apps = new Apps();
  const clients: WsClient[] = [];

  beforeAll(async () => {
    issuers = await startIssuers();
    const spec = openApi2(issuers, { paths: { '/graphql': { post: { 'x-security': [{ alpha: { audiences: ['graphql-aud'] } }] } } } });
    ({ url } = apps.track(await startApp(subscriptionAppModule({ spec }, {}, 'apollo'), 'express')));
  });
  afterEach(() => {
    clients.splice(0).forEach((client) => client.close());
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  it('accepts at init a token for the definition’s own audience, which a @Secured subscription accepts', async () => {
    const token = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', { sub: 'own-user' }));
    const client = await WsClient.connect(url, { Authorization: `Bearer ${token}` });
    clients.push(client);
    expect(await client.frame(0)).toEqual(ACK);
    client.subscribe('1', 'subscription { ticks }');
    expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { ticks: 'tick for own-user' } } });
  });
});
