import { Module, type Type } from '@nestjs/common';
import { SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { EndpointsAuthModule, type JwtClaims, Public, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';

/** How many times each handler ran: a refused message never reaches its handler. */
export type Runs = Record<string, number>;

/** Where each gateway listens: a ws path, or a socket.io namespace. */
type Place = (name: string) => { path: string } | { namespace: string };

/**
 * The app every WebSocket test runs: `secured` (class `@Secured('alpha')`: whoami, a public ping, a beta-only
 * handler), `open` (class `@Public()`, with an alpha-only handler) and `plain` (no decorator: what the spec requires of
 * its handshake path, GET `/plain` for ws, GET `/socket.io/` for socket.io). `spec` replaces the spec's `paths` (both
 * handshake paths require `alpha` by default) and may add its API-level `security`.
 */
export function gatewayApp(issuers: Issuers, place: Place, runs: Runs, spec?: Record<string, unknown>): Type<unknown> {
  const count = (name: string) => void (runs[name] = (runs[name] ?? 0) + 1);

  @Secured('alpha')
  @WebSocketGateway(place('secured'))
  class SecuredGateway {
    @SubscribeMessage('whoami')
    whoami(@UserInfo() user: JwtClaims | undefined) {
      count('secured.whoami');
      return { event: 'whoami', data: { sub: user?.sub ?? null } };
    }

    @Public()
    @SubscribeMessage('ping')
    ping() {
      count('secured.ping');
      return { event: 'pong', data: 'ok' };
    }

    @Secured('beta')
    @SubscribeMessage('beta')
    beta() {
      count('secured.beta');
      return { event: 'beta', data: 'ran' };
    }
  }

  @Public()
  @WebSocketGateway(place('open'))
  class OpenGateway {
    @SubscribeMessage('ping')
    ping(@UserInfo('sub') sub: string | undefined) {
      count('open.ping');
      return { event: 'pong', data: { sub: sub ?? null } };
    }

    @Secured('alpha')
    @SubscribeMessage('whoami')
    whoami(@UserInfo('sub') sub: string) {
      count('open.whoami');
      return { event: 'whoami', data: { sub } };
    }
  }

  @WebSocketGateway(place('plain'))
  class PlainGateway {
    @SubscribeMessage('whoami')
    whoami(@UserInfo('sub') sub: string | undefined) {
      count('plain.whoami');
      return { event: 'whoami', data: { sub: sub ?? null } };
    }
  }

  const guarded = { get: { security: [{ alpha: [] }] } };
  @Module({
    imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers, spec ?? { paths: { '/plain': guarded, '/socket.io/': guarded } }) })],
    providers: [SecuredGateway, OpenGateway, PlainGateway],
  })
  class GatewayAppModule {}
  return GatewayAppModule;
}
