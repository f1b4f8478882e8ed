/**
 * Two tokens on one request, as behind Cloud Run's IAM check: the caller's service-account token rides in
 * `X-Serverless-Authorization` (the `header` option) while the app's own token stays in `Authorization`. The callee's
 * definition reads `X-Serverless-Authorization` (`x-google-jwt-locations`), verifies the real token there (the
 * account's X.509 map on 127.0.0.1) and its handler still gets the `Authorization` the caller set.
 */
import { HttpModule, HttpService } from '@nestjs/axios';
import { Controller, Get, Headers, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type EndpointsClient,
  EndpointsAuthModule,
  EndpointsClientModule,
  Secured,
  ServiceAccountTokenSource,
  UserInfo,
  authorizedFetch,
  getEndpointsClientToken,
  useAuthorization,
} from '../../lib/index.js';
import { ADAPTERS, type AdapterName, Apps, startApp } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { makeAccount, serviceAccountSpec } from './client-kit.js';

const SERVICE = 'shelves.endpoints.test-project.cloud.goog';
const AUDIENCE = `https://${SERVICE}`;
const APP = 'Bearer app-user-token';
const account = makeAccount('run-caller@test-project.iam.gserviceaccount.com');

@Secured('cloud_run_iam')
@Controller('whoami')
class WhoAmIController {
  @Get() whoami(@UserInfo('sub') sub: string, @Headers('authorization') authorization?: string) {
    return { sub, authorization: authorization ?? null };
  }
}

describe.each(ADAPTERS)('X-Serverless-Authorization next to the app’s Authorization on %s', (adapter: AdapterName) => {
  const keys = new KeyServer();
  const apps = new Apps();
  const source = new ServiceAccountTokenSource(account.keyFile);
  let url = '';

  beforeAll(async () => {
    await keys.start();
    keys.set('/x509', { body: { [account.keyId]: account.certificate } });
    const spec = serviceAccountSpec(SERVICE, account, `${keys.url}/x509`) as { securityDefinitions: Record<string, Record<string, unknown>> };
    // The callee reads the caller's identity where Cloud Run's IAM check reads it, and nowhere else.
    const { service_account: definition } = spec.securityDefinitions;
    spec.securityDefinitions = {
      cloud_run_iam: { ...definition, 'x-google-jwt-locations': [{ header: 'X-Serverless-Authorization', value_prefix: 'Bearer ' }] },
    };
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec })], controllers: [WhoAmIController] })
    class CalleeModule {}
    ({ url } = apps.track(await startApp(CalleeModule, adapter)));
  });
  afterAll(async () => {
    await apps.closeAll();
    await keys.stop();
  });

  it('authorizedFetch: the token is verified from X-Serverless-Authorization, and Authorization arrives as the caller set it', async () => {
    const send = authorizedFetch(source, AUDIENCE, { header: 'x-serverless-authorization' });
    const response = await send(`${url}/whoami`, { headers: { authorization: APP } });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { sub: account.email, authorization: APP } });
    // In Authorization (the default) the same token is not where this callee looks.
    expect((await authorizedFetch(source, AUDIENCE)(`${url}/whoami`)).status).toBe(401);
  });

  it('an EndpointsClient from registerAsync with the header option', async () => {
    const caller = await Test.createTestingModule({
      imports: [
        EndpointsClientModule.registerAsync({
          name: 'shelves',
          useFactory: () => ({ audience: AUDIENCE, baseUrl: url, source, header: 'x-serverless-authorization' }),
        }),
      ],
    }).compile();
    const response = await caller.get<EndpointsClient>(getEndpointsClientToken('shelves')).fetch('/whoami', { headers: { Authorization: APP } });
    expect({ status: response.status, body: await response.json() }).toEqual({ status: 200, body: { sub: account.email, authorization: APP } });
    await caller.close();
  });

  it('useAuthorization on an HttpService with the header option', async () => {
    const http = (await Test.createTestingModule({ imports: [HttpModule] }).compile()).get(HttpService);
    useAuthorization(http, source, AUDIENCE, { header: 'x-serverless-authorization' });
    const answer = await firstValueFrom(http.get(`${url}/whoami`, { headers: { Authorization: APP } }));
    expect({ status: answer.status, body: answer.data }).toEqual({ status: 200, body: { sub: account.email, authorization: APP } });
  });
});
