/**
 * Mercurius's own subscription server (`subscription: true`), as the library meets it today, over real sockets: the
 * guard checks each subscription against the upgrade request (a token in its URL or headers), the `connection_init`
 * payload is not read, and a refusal is one `error` frame on a connection that stays open. What the graphql-ws
 * contract (payload tokens, 4401/4403 at init, close at expiry) would need from Mercurius is in docs/graphql.md.
 */
import { type DynamicModule, Module } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule } from '../../lib/index.js';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { Apps, startApp } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { graphqlSpec } from './graphql-kit.js';
import { TicksResolver, WsClient } from './subscription-kit.js';

const ACK = { type: 'connection_ack' };

/** Mercurius's refusal of one subscription: an `error` frame with the resolver refusal's error. */
const refusedFrame = (id: string, field: string, message: string, errorCode: string) => ({
  id,
  type: 'error',
  payload: [{ message, locations: [{ line: 1, column: 16 }], path: [field], extensions: { code: 'UNAUTHENTICATED', errorCode } }],
});

describe('Mercurius subscriptions (Fastify)', () => {
  let issuers: Issuers;
  let url: string;
  const apps = new Apps();
  const clients: WsClient[] = [];
  const alpha = () => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));
  const connect = async (params?: Record<string, unknown>, search = '') => {
    const client = await WsClient.connect(url, params, search);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    issuers = await startIssuers();
    @Module({})
    class MercuriusSubscriptionsModule {}
    const module: DynamicModule = {
      module: MercuriusSubscriptionsModule,
      imports: [
        EndpointsAuthModule.forRoot({ spec: graphqlSpec(issuers) }),
        GraphQLModule.forRoot<MercuriusDriverConfig>({ driver: MercuriusDriver, autoSchemaFile: true, subscription: true }),
      ],
      providers: [TicksResolver],
    };
    ({ url } = apps.track(await startApp(module, 'fastify')));
  });
  afterEach(() => {
    clients.splice(0).forEach((client) => client.close());
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  it('runs a secured subscription for a token in the upgrade URL, with its caller', async () => {
    const client = await connect(undefined, `?access_token=${alpha()}`);
    expect(await client.frame(0)).toEqual(ACK);
    client.subscribe('1', 'subscription { ticks }');
    expect(await client.frame(1)).toEqual({ id: '1', type: 'next', payload: { data: { ticks: 'tick for user-1' } } });
  });

  it('refuses it without a token with one error frame; the connection stays open', async () => {
    const client = await connect();
    expect(await client.frame(0)).toEqual(ACK);
    client.subscribe('1', 'subscription { ticks }');
    expect(await client.frame(1)).toEqual(refusedFrame('1', 'ticks', 'Jwt is missing', 'MISSING_TOKEN'));
    client.subscribe('2', 'subscription { publicTicks }');
    expect(await client.frame(2)).toEqual({ id: '2', type: 'next', payload: { data: { publicTicks: 'public tick for nobody' } } });
  });

  it('does not read a token from the connection_init payload (Mercurius copies it under headers the guard does not trust)', async () => {
    const client = await connect({ authorization: `Bearer ${alpha()}` });
    expect(await client.frame(0)).toEqual(ACK);
    client.subscribe('1', 'subscription { ticks }');
    expect(await client.frame(1)).toEqual(refusedFrame('1', 'ticks', 'Jwt is missing', 'MISSING_TOKEN'));
  });
});
