/**
 * One gateway class in two apps, each with its own spec: every message is judged once, by the guard of the app whose
 * adapter opened its connection. On Nest 11, where no `APP_GUARD` reaches a gateway, the library puts one class guard
 * on each gateway that runs that app's guard; on Nest 12 the global guard runs and the class guard steps aside.
 */
import { type INestApplication, Module } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { EndpointsAuthWsAdapter } from 'nestjs-endpoints-auth/ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, startAppWith } from '../support/app.js';
import { connectWs } from './clients.js';

let runs = 0;

@WebSocketGateway({ path: '/shared' })
class SharedGateway {
  @SubscribeMessage('who')
  who() {
    runs++;
    return { event: 'who', data: 'ran' };
  }
}

describe.each(ADAPTERS)('a gateway class shared by two apps (%s)', (adapter) => {
  let issuers: Issuers;
  const apps = new Apps();

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterEach(() => apps.closeAll());
  afterAll(() => issuers.server.stop());

  it("judges each message once, by its own app's guard (an API key in one app, nothing in the other)", async () => {
    runs = 0;
    const validated: string[] = [];
    const keyed = { '/shared': { get: { security: [{ api_key: [] }] } } };
    const apiKeys = { validate: (key: string) => (validated.push(key), key === 'good-key') };
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers, { paths: keyed }), apiKeys })], providers: [SharedGateway] })
    class KeyedApp {}
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) })], providers: [SharedGateway] })
    class OpenApp {}
    // Created and started side by side: neither app's guard may judge the other's messages.
    const configure = { configure: (app: INestApplication) => void app.useWebSocketAdapter(new EndpointsAuthWsAdapter(app)) };
    const [keyedApp, openApp] = await Promise.all([startAppWith(KeyedApp, adapter, configure), startAppWith(OpenApp, adapter, configure)]);
    apps.track(keyedApp);
    apps.track(openApp);
    const at = (url: string, path: string) => `${url.replace(/^http/, 'ws')}${path}`;

    const missing = await connectWs(at(keyedApp.url, '/shared'));
    expect(await missing.client.ask('who')).toEqual({
      event: 'exception',
      data: { status: 'error', message: expect.stringMatching(/^Method doesn't allow unregistered callers/), errorCode: 'API_KEY_MISSING' },
    });
    expect(runs).toBe(0);
    const withKey = await connectWs(at(keyedApp.url, '/shared?key=good-key'));
    expect(await withKey.client.ask('who')).toEqual({ event: 'who', data: 'ran' });
    // Once per message: the class guard does not judge a message the global guard judged (Nest 12).
    expect(validated).toEqual(['good-key']);

    const open = await connectWs(at(openApp.url, '/shared'));
    expect(await open.client.ask('who')).toEqual({ event: 'who', data: 'ran' });
    expect(runs).toBe(2);
    expect(validated).toEqual(['good-key']);
    for (const { client } of [missing, withKey, open]) client.socket.close();
    // One class guard, however many apps put it there (each test here boots two).
    expect(Reflect.getMetadata('__guards__', SharedGateway)).toHaveLength(1);
  });
});
