/**
 * The `@nestjs/axios` route for outgoing calls: `useAuthorization(httpService, source, audience)` adds the bearer
 * token of a service-account key to every request of an injected `HttpService`, and the library's module on the
 * callee accepts it (the account's X.509 certificate map served on 127.0.0.1).
 */
import { HttpModule, HttpService } from '@nestjs/axios';
import { Controller, Get, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import axios from 'axios';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, Secured, ServiceAccountTokenSource, UserInfo, useAuthorization } from '../../lib/index.js';
import { Apps, startApp } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { makeAccount, serviceAccountSpec } from './client-kit.js';

const SERVICE = 'books.endpoints.test-project.cloud.goog';
const AUDIENCE = `https://${SERVICE}`;
const account = makeAccount('axios-caller@test-project.iam.gserviceaccount.com');

@Secured('service_account')
@Controller('whoami')
class WhoAmIController {
  @Get() whoami(@UserInfo('sub') sub: string) {
    return { sub };
  }
}

describe('useAuthorization with @nestjs/axios', () => {
  const keys = new KeyServer();
  const apps = new Apps();
  let url = '';
  let http: HttpService;

  beforeAll(async () => {
    await keys.start();
    keys.set('/x509', { body: { [account.keyId]: account.certificate } });
    const spec = serviceAccountSpec(SERVICE, account, `${keys.url}/x509`);
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec })], controllers: [WhoAmIController] })
    class CalleeModule {}
    ({ url } = apps.track(await startApp(CalleeModule, 'express')));
    const caller = await Test.createTestingModule({ imports: [HttpModule] }).compile();
    http = caller.get(HttpService);
  });
  afterAll(async () => {
    await apps.closeAll();
    await keys.stop();
  });

  const status = (request: Promise<{ status: number }>) => request.then((r) => r.status, (e: { response?: { status: number } }) => e.response?.status);

  it('sends the account’s token on every request of an HttpService, replacing one set by hand, until removed', async () => {
    expect(await status(firstValueFrom(http.get(`${url}/whoami`)))).toBe(401);
    const remove = useAuthorization(http, new ServiceAccountTokenSource(account.keyFile), AUDIENCE);
    const answer = await firstValueFrom(http.get(`${url}/whoami`, { headers: { authorization: 'Bearer stale' } }));
    expect({ status: answer.status, body: answer.data }).toEqual({ status: 200, body: { sub: account.email } });
    remove();
    expect(await status(firstValueFrom(http.get(`${url}/whoami`)))).toBe(401);
  });

  it('works on a plain axios instance, and a token for another audience is refused (403)', async () => {
    const instance = axios.create();
    useAuthorization(instance, new ServiceAccountTokenSource(account.keyFile), 'https://other.example.com');
    expect(await status(instance.get(`${url}/whoami`))).toBe(403);
  });
});
