/**
 * x-security on a WebSocket handshake path (ws adapter, Express and Fastify): an undecorated gateway is held to the
 * audiences that replace the definition's there; where a `@Secured` gateway shares the path, a caller either gateway
 * accepts gets in, and each message is held to its own handler's requirement.
 */
import { Module } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { EndpointsAuthWsAdapter } from 'nestjs-endpoints-auth/ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, startAppWith } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { type WsClient, connectWs } from '../websockets/clients.js';

@WebSocketGateway({ path: '/plain' })
class PlainGateway {
  @SubscribeMessage('whoami')
  whoami(@UserInfo('sub') sub: string | undefined) {
    return { event: 'whoami', data: { sub: sub ?? null } };
  }
}

@WebSocketGateway({ path: '/shared' })
class SharedPlainGateway {
  @SubscribeMessage('plain')
  plain(@UserInfo('sub') sub: string | undefined) {
    return { event: 'plain', data: { sub: sub ?? null } };
  }
}

@Secured('alpha')
@WebSocketGateway({ path: '/shared' })
class SharedSecuredGateway {
  @SubscribeMessage('secured')
  secured(@UserInfo('sub') sub: string) {
    return { event: 'secured', data: { sub } };
  }
}

describe.each(ADAPTERS)('x-security on a handshake path (%s)', (adapter) => {
  let issuers: Issuers;
  let base: string;
  const apps = new Apps();
  const clients: WsClient[] = [];
  const alpha = (aud: string) => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, aud, { sub: `for-${aud}` }));

  beforeAll(async () => {
    issuers = await startIssuers();
    const replaced = { get: { 'x-security': [{ alpha: { audiences: ['ws-aud'] } }] } };
    @Module({
      imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers, { paths: { '/plain': replaced, '/shared': replaced } }) })],
      providers: [PlainGateway, SharedPlainGateway, SharedSecuredGateway],
    })
    class GatewaysModule {}
    const { url } = apps.track(await startAppWith(GatewaysModule, adapter, { configure: (app) => app.useWebSocketAdapter(new EndpointsAuthWsAdapter(app)) }));
    base = url.replace(/^http/, 'ws');
  });
  afterEach(() => clients.splice(0).forEach((client) => client.socket.close()));
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  /** The answer to `event`, or how the connection closed before one came. */
  const ask = (client: WsClient, event: string) => Promise.race([client.ask(event), client.closed]);

  const open = async (path: string, aud: string) => {
    const { client } = await connectWs(`${base}${path}`, bearer(alpha(aud)));
    clients.push(client);
    return client;
  };

  it('holds an undecorated gateway to the replaced audiences: the definition’s own is refused with 4403', async () => {
    const own = await open('/plain', 'alpha-audience');
    expect(await own.closed).toEqual({ code: 4403, reason: 'Audiences in Jwt are not allowed' });
    const replaced = await open('/plain', 'ws-aud');
    expect(await ask(replaced, 'whoami')).toEqual({ event: 'whoami', data: { sub: 'for-ws-aud' } });
  });

  it('lets in, on a path a @Secured gateway shares, a caller either gateway accepts; each message keeps its own audiences', async () => {
    const replaced = await open('/shared', 'ws-aud');
    expect(await ask(replaced, 'plain')).toEqual({ event: 'plain', data: { sub: 'for-ws-aud' } });
    const own = await open('/shared', 'alpha-audience');
    expect(await ask(own, 'secured')).toEqual({ event: 'secured', data: { sub: 'for-alpha-audience' } });
  });
});
