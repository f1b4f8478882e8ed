/**
 * A subscription connection accepts a token of any definition the spec defines, not only those its operations name:
 * a `@Secured('beta')` subscription is reachable when no spec operation names beta (Apollo's graphql-ws on Express,
 * Mercurius on Fastify).
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { Apps } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { type SubscriptionDriver, WsClient, subscriptionStarter } from '../graphql/subscription-kit.js';

describe.each([['apollo'], ['mercurius']] as const)('a definition only a decorator names (%s)', (driver: SubscriptionDriver) => {
  let issuers: Issuers;
  const apps = new Apps();
  const clients: WsClient[] = [];
  const start = subscriptionStarter(apps, clients, () => issuers, driver);

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterEach(() => clients.splice(0).forEach((client) => client.close()));
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  it('accepts a beta token at init (the spec’s operations name only alpha) and runs the @Secured(beta) subscription', async () => {
    const { connect } = await start();
    const beta = signJwt(issuers.beta.key, claims(issuers.beta.issuer, `https://${issuers.service}`));
    const client = await connect({ Authorization: `Bearer ${beta}` });
    expect(await client.frame(0)).toEqual({ type: 'connection_ack' });
    client.subscribe('1', 'subscription { betaTicks }');
    expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { betaTicks: 'beta tick' } } });
  });

  it('still refuses a beta token for another audience at init (4403)', async () => {
    const { connect } = await start();
    const client = await connect({ Authorization: `Bearer ${signJwt(issuers.beta.key, claims(issuers.beta.issuer, 'someone-else'))}` });
    expect(await client.closed).toEqual({ code: 4403, reason: 'Audiences in Jwt are not allowed' });
  });
});
