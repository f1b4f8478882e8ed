import { Controller, type ExecutionContext, Get, type INestApplication, Injectable, Module, Req, UseGuards } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EndpointsAuthGuard,
  EndpointsAuthModule,
  type HttpRequestLike,
  RequestAuthenticator,
  RouteRequirements,
  Secured,
  UserInfo,
} from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, bearer, call, startApp } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';

/** A guard that reads the request its own way (as GraphQL or WebSocket users do) and counts what it read. */
@Injectable()
class CountingGuard extends EndpointsAuthGuard {
  static reads = 0;
  protected override getRequest(context: ExecutionContext): HttpRequestLike | undefined {
    CountingGuard.reads++;
    return super.getRequest(context);
  }
}

/** A guard with a constructor of its own, written the usual way: it must still honour the module's settings. */
@Injectable()
class ConstructingGuard extends EndpointsAuthGuard {
  constructor(routes: RouteRequirements, authenticator: RequestAuthenticator) {
    super(routes, authenticator);
  }
}

/** A guard that cannot find a request: a route that needs a token must stay closed. */
@Injectable()
class BlindGuard extends EndpointsAuthGuard {
  protected override getRequest(): HttpRequestLike | undefined {
    return undefined;
  }
}

@Secured('alpha')
@Controller('guarded')
class GuardedController {
  @UseGuards(CountingGuard)
  @Get('counting')
  counting(@UserInfo('sub') sub: string) {
    return { sub };
  }

  @UseGuards(ConstructingGuard)
  @Get('constructing')
  constructing(@Req() request: { headers: Record<string, unknown> }) {
    return { userInfo: request.headers['x-endpoint-api-userinfo'] ?? null };
  }

  @UseGuards(BlindGuard)
  @Get('blind')
  blind() {
    return { reached: true };
  }
}

describe.each(ADAPTERS)('a guard extending EndpointsAuthGuard on %s', (adapter) => {
  let issuers: Issuers;
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    issuers = await startIssuers();
    @Module({
      imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers), globalGuard: false, userInfoHeader: false })],
      controllers: [GuardedController],
      providers: [CountingGuard, ConstructingGuard, BlindGuard],
    })
    class AppModule {}
    ({ app, url } = await startApp(AppModule, adapter));
  });
  afterAll(async () => {
    await app?.close();
    await issuers?.server.stop();
  });

  it('authenticates through its overridden getRequest()', async () => {
    const before = CountingGuard.reads;
    const token = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));
    const answer = await call(`${url}/guarded/counting`, { headers: bearer(token) });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { sub: 'user-1' } });
    expect(CountingGuard.reads).toBeGreaterThan(before);
    expect((await call(`${url}/guarded/counting`)).status).toBe(401);
  });

  it('honours the module’s settings when its own constructor calls super(routes, authenticator)', async () => {
    const token = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));
    const answer = await call(`${url}/guarded/constructing`, { headers: bearer(token) });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { userInfo: null } });
    expect((await call(`${url}/guarded/constructing`)).status).toBe(401);
  });

  it('fails closed with 401 UNSUPPORTED_CONTEXT when getRequest() finds no request, even with a valid token', async () => {
    const token = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));
    const answer = await call(`${url}/guarded/blind`, { headers: bearer(token) });
    expect({ status: answer.status, code: answer.body.errorCode }).toEqual({ status: 401, code: 'UNSUPPORTED_CONTEXT' });
  });
});
