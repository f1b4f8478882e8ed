/**
 * socket.io gateways on dynamic namespaces (a RegExp, a function): the connection is held to the class's `@Secured`,
 * so `handleConnection` never sees a caller without a token. A function namespace used to match no gateway: the
 * connection fell to the spec (nothing here) and a `@Secured` gateway's `handleConnection` ran for anyone. A static
 * namespace is served before any dynamic one, so a public RegExp gateway whose pattern takes its name opens nothing.
 */
import { Module, type Type } from '@nestjs/common';
import { type OnGatewayConnection, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { EndpointsAuthIoAdapter } from 'nestjs-endpoints-auth/socket.io';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, Public, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, startAppWith } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { type IoClient, connectIo } from '../websockets/clients.js';

/** socket.io's namespace function: lets in names starting with `/fn-`. */
type NamespaceCheck = (name: string, auth: unknown, next: (error: Error | null, allowed: boolean) => void) => void;
const functionNamespace: NamespaceCheck = (name, _auth, next) => next(null, name.startsWith('/fn-'));

function dynamicApp(issuers: Issuers, connected: string[]): Type<unknown> {
  @Secured('alpha')
  @WebSocketGateway({ namespace: functionNamespace as unknown as string })
  class FunctionGateway implements OnGatewayConnection {
    handleConnection() {
      connected.push('function');
    }
    @SubscribeMessage('whoami')
    whoami(@UserInfo('sub') sub: string) {
      return { event: 'whoami', data: sub };
    }
  }

  @Secured('alpha')
  @WebSocketGateway({ namespace: /^\/re-\w+$/ })
  class RegExpGateway implements OnGatewayConnection {
    handleConnection() {
      connected.push('regexp');
    }
    @SubscribeMessage('whoami')
    whoami(@UserInfo('sub') sub: string) {
      return { event: 'whoami', data: sub };
    }
  }

  /** Public, and its pattern also takes the static `/st-secured` namespace's name. */
  @Public()
  @WebSocketGateway({ namespace: /^\/st-\w+$/ })
  class OpenRegExpGateway implements OnGatewayConnection {
    handleConnection() {
      connected.push('open-regexp');
    }
  }

  @Secured('alpha')
  @WebSocketGateway({ namespace: 'st-secured' })
  class StaticGateway implements OnGatewayConnection {
    handleConnection() {
      connected.push('static');
    }
  }

  @Module({
    imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) })],
    providers: [FunctionGateway, RegExpGateway, OpenRegExpGateway, StaticGateway],
  })
  class DynamicAppModule {}
  return DynamicAppModule;
}

describe.each(ADAPTERS)('socket.io dynamic namespaces (%s)', (adapter) => {
  let issuers: Issuers;
  let url: string;
  const connected: string[] = [];
  const apps = new Apps();
  const clients: IoClient[] = [];

  beforeAll(async () => {
    issuers = await startIssuers();
    ({ url } = apps.track(
      await startAppWith(dynamicApp(issuers, connected), adapter, { configure: (app) => app.useWebSocketAdapter(new EndpointsAuthIoAdapter(app)) }),
    ));
  });
  afterEach(() => {
    clients.splice(0).forEach((client) => client.socket.close());
    connected.splice(0);
  });
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  const token = () => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', { sub: 'dynamic-user' }));
  const missing = { message: 'Jwt is missing', data: { status: 'error', message: 'Jwt is missing', errorCode: 'MISSING_TOKEN' } };

  it.each(['fn-a', 're-b', 'st-secured'])('refuses /%s without a token before its gateway sees it', async (namespace) => {
    const outcome = await connectIo(`${url}/${namespace}`);
    expect('error' in outcome && { message: outcome.error.message, data: outcome.error.data }).toEqual(missing);
    expect(connected).toEqual([]);
  });

  it.each(['fn-a', 're-b'])('lets /%s in with a valid token, its caller reaching the handler', async (namespace) => {
    const outcome = await connectIo(`${url}/${namespace}`, { auth: { token: token() } });
    if (!('client' in outcome)) throw new Error(`refused: ${outcome.error.message}`);
    clients.push(outcome.client);
    expect(await outcome.client.ask('whoami')).toEqual({ event: 'whoami', data: 'dynamic-user' });
    expect(connected).toEqual([namespace.startsWith('fn') ? 'function' : 'regexp']);
  });

  it('opens a child of the public RegExp namespace to anyone', async () => {
    const outcome = await connectIo(`${url}/st-other`);
    if (!('client' in outcome)) throw new Error(`refused: ${outcome.error.message}`);
    clients.push(outcome.client);
    expect(connected).toEqual(['open-regexp']);
  });
});
