/**
 * The handshake path is the one the gateway's server serves, never the client's text: Nest's ws adapter routes
 * `/./plain` and `/x/../plain` to the `/plain` server after resolving them, engine.io serves any path under
 * `/socket.io/`. Held to the spec of their own text (unlisted, so the API level: nothing), they opened an undecorated
 * gateway that the spec protects, connection and messages alike.
 */
import { Module } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { EndpointsAuthIoAdapter } from 'nestjs-endpoints-auth/socket.io';
import { EndpointsAuthWsAdapter } from 'nestjs-endpoints-auth/ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, startAppWith } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { freePort } from '../support/ports.js';
import { type IoClient, connectWs } from '../websockets/clients.js';
import { type Runs, gatewayApp } from '../websockets/gateways.js';
import { connectIoAt, connectWsRaw } from './raw-clients.js';

describe.each(ADAPTERS)('the handshake path a gateway is held to (%s)', (adapter) => {
  let issuers: Issuers;
  const apps = new Apps();
  const ioClients: IoClient[] = [];

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterEach(async () => {
    ioClients.splice(0).forEach((client) => client.socket.close());
    await apps.closeAll();
  });
  afterAll(() => issuers.server.stop());

  const alphaToken = () => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', { sub: 'spec-user' }));

  it.each(['/./plain', '/x/../plain', '/%2e/plain'])('ws: %s is the /plain server, held to GET /plain', async (target) => {
    const runs: Runs = {};
    const module = gatewayApp(issuers, (name) => ({ path: `/${name}` }), runs);
    const { url } = apps.track(await startAppWith(module, adapter, { configure: (app) => app.useWebSocketAdapter(new EndpointsAuthWsAdapter(app)) }));
    const base = `${url.replace(/^http/, 'ws')}/plain`;
    const refused = await connectWsRaw(base, target);
    expect(await refused.closed).toEqual({ code: 4401, reason: 'Jwt is missing' });
    const client = await connectWsRaw(base, target, bearer(alphaToken()));
    expect(await client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'spec-user' } });
    expect(runs).toEqual({ 'plain.whoami': 1 });
  });

  it.each(['/socket.io/x', '/socket.io/x/', '/socket.io//'])('socket.io: engine path %s is /socket.io/, held to GET /socket.io/', async (path) => {
    const runs: Runs = {};
    const module = gatewayApp(issuers, (name) => ({ namespace: name }), runs);
    const { url } = apps.track(await startAppWith(module, adapter, { configure: (app) => app.useWebSocketAdapter(new EndpointsAuthIoAdapter(app)) }));
    const refused = await connectIoAt(`${url}/plain`, path);
    expect('error' in refused && { message: refused.error.message, data: refused.error.data }).toEqual({
      message: 'Jwt is missing',
      data: { status: 'error', message: 'Jwt is missing', errorCode: 'MISSING_TOKEN' },
    });
    const accepted = await connectIoAt(`${url}/plain`, path, { token: alphaToken() });
    if (!('client' in accepted)) throw new Error(`refused: ${accepted.error.message}`);
    ioClients.push(accepted.client);
    expect(await accepted.client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'spec-user' } });
    expect(runs).toEqual({ 'plain.whoami': 1 });
  });

  it('ws: an undecorated gateway on a port of its own is held to GET of its path too', async () => {
    const port = await freePort();
    @WebSocketGateway(port, { path: '/own' })
    class OwnPortGateway {
      @SubscribeMessage('whoami')
      whoami(@UserInfo('sub') sub: string | undefined) {
        return { event: 'whoami', data: { sub: sub ?? null } };
      }
    }
    @Module({
      imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers, { paths: { '/own': { get: { security: [{ alpha: [] }] } } } }) })],
      providers: [OwnPortGateway],
    })
    class OwnPortModule {}
    apps.track(await startAppWith(OwnPortModule, adapter, { configure: (app) => app.useWebSocketAdapter(new EndpointsAuthWsAdapter(app)) }));
    const refused = await connectWs(`ws://127.0.0.1:${port}/own`);
    expect(await refused.client.closed).toEqual({ code: 4401, reason: 'Jwt is missing' });
    const { client } = await connectWs(`ws://127.0.0.1:${port}/own?access_token=${alphaToken()}`);
    expect(await client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'spec-user' } });
    client.socket.close();
  });
});
