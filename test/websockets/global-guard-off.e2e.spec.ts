/**
 * `globalGuard: false`: the module adds no guard to gateways (on Nest 11 or 12); a gateway the app guards itself with
 * `@UseGuards(EndpointsAuthGuard)` is checked per message against its connection's verdict, as with the global guard.
 */
import { type INestApplication, Module, UseGuards } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { EndpointsAuthWsAdapter } from 'nestjs-endpoints-auth/ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthGuard, EndpointsAuthModule, type JwtClaims, Public, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, startAppWith } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { connectWs } from './clients.js';

describe.each(ADAPTERS)('gateways with globalGuard: false (%s)', (adapter) => {
  let issuers: Issuers;
  const apps = new Apps();

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterEach(() => apps.closeAll());
  afterAll(() => issuers.server.stop());

  it('adds no guard of its own; @UseGuards(EndpointsAuthGuard) refuses a message per its handler, which never runs', async () => {
    const runs: string[] = [];

    @Public()
    @UseGuards(EndpointsAuthGuard)
    @WebSocketGateway({ path: '/guarded' })
    class GuardedGateway {
      @Secured('alpha')
      @SubscribeMessage('whoami')
      whoami(@UserInfo() user: JwtClaims) {
        runs.push(user.sub!);
        return { event: 'whoami', data: user.sub };
      }
    }

    @Module({
      imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers), globalGuard: false })],
      providers: [GuardedGateway],
    })
    class AppModule {}
    const configure = (app: INestApplication) => void app.useWebSocketAdapter(new EndpointsAuthWsAdapter(app));
    const { url } = apps.track(await startAppWith(AppModule, adapter, { configure }));
    const at = `${url.replace(/^http/, 'ws')}/guarded`;

    expect(Reflect.getMetadata('__guards__', GuardedGateway)).toEqual([EndpointsAuthGuard]);
    const anonymous = await connectWs(at);
    expect(await anonymous.client.ask('whoami')).toEqual({
      event: 'exception',
      data: { status: 'error', message: 'Jwt is missing', errorCode: 'MISSING_TOKEN' },
    });
    const token = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', { sub: 'guarded-user' }));
    const caller = await connectWs(at, bearer(token));
    expect(await caller.client.ask('whoami')).toEqual({ event: 'whoami', data: 'guarded-user' });
    expect(runs).toEqual(['guarded-user']);
    for (const { client } of [anonymous, caller]) client.socket.close();
  });
});
