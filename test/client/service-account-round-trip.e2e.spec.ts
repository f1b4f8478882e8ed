/**
 * The caller's side meets the callee's: a token from a service-account key file (written to a temp dir) is accepted
 * by `EndpointsAuthModule` configured with that account's definition, its X.509 certificate map served on 127.0.0.1
 * as Google serves it — through `authorizedFetch` and through an injected `EndpointsClient`.
 */
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EndpointsAuthModule,
  type EndpointsClient,
  EndpointsClientModule,
  InjectEndpointsClient,
  ServiceAccountTokenSource,
  Secured,
  UserInfo,
  authorizedFetch,
  getEndpointsClientToken,
} from '../../lib/index.js';
import { ADAPTERS, type AdapterName, Apps, startApp } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { decodeJwt, makeAccount, serviceAccountSpec, tempDir } from './client-kit.js';

const SERVICE = 'shelves.endpoints.test-project.cloud.goog';
const AUDIENCE = `https://${SERVICE}`;
const account = makeAccount();
const stranger = makeAccount('stranger@test-project.iam.gserviceaccount.com');

@Secured('service_account')
@Controller('whoami')
class WhoAmIController {
  @Get() whoami(@UserInfo('email') email: string, @UserInfo('sub') sub: string) {
    return { email, sub };
  }
}

describe.each(ADAPTERS)('a service-account token round trip on %s', (adapter: AdapterName) => {
  const keys = new KeyServer();
  const apps = new Apps();
  const dir = tempDir();
  let url = '';
  let keyFile = '';

  beforeAll(async () => {
    await keys.start();
    keys.set(`/x509/${account.email}`, { body: { [account.keyId]: account.certificate } });
    keyFile = dir.write('key.json', JSON.stringify(account.keyFile, null, 2));
    const spec = serviceAccountSpec(SERVICE, account, `${keys.url}/x509/${account.email}`);
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec })], controllers: [WhoAmIController] })
    class CalleeModule {}
    ({ url } = apps.track(await startApp(CalleeModule, adapter)));
  });
  afterAll(async () => {
    await apps.closeAll();
    await keys.stop();
    dir.remove();
  });

  it('accepts a token from the key-file source sent by authorizedFetch, with the account as the caller', async () => {
    const source = new ServiceAccountTokenSource(keyFile);
    const response = await authorizedFetch(source, AUDIENCE)(`${url}/whoami`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ email: account.email, sub: account.email });
    const { header, payload } = decodeJwt(await source.getToken(AUDIENCE));
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: account.keyId });
    expect(payload).toMatchObject({ iss: account.email, sub: account.email, aud: AUDIENCE });
    expect(payload.exp - payload.iat).toBe(3600);
  });

  it('is refused for another audience, and for an account the callee does not know', async () => {
    const other = await authorizedFetch(new ServiceAccountTokenSource(account.keyFile), 'https://other.example.com')(`${url}/whoami`);
    expect(other.status).toBe(403);
    const unknown = await authorizedFetch(new ServiceAccountTokenSource(stranger.keyFile), AUDIENCE)(`${url}/whoami`);
    expect(unknown.status).toBe(401);
  });

  it('serves an injected EndpointsClient for the callee (a relative path against its base URL)', async () => {
    @Injectable()
    class ShelvesCaller {
      constructor(@InjectEndpointsClient('shelves') readonly shelves: EndpointsClient) {}
    }
    const caller = await Test.createTestingModule({
      imports: [EndpointsClientModule.register({ name: 'shelves', audience: AUDIENCE, baseUrl: url, source: new ServiceAccountTokenSource(keyFile) })],
      providers: [ShelvesCaller],
    }).compile();
    const { shelves } = caller.get(ShelvesCaller);
    const response = await shelves.fetch('/whoami');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ email: account.email, sub: account.email });
    // The service's token never leaves its origin: a protocol-relative path or an absolute URL elsewhere is refused.
    const elsewhere = `is not the origin of its baseUrl (${new URL(url).origin}); its token is only sent there`;
    await expect(shelves.fetch('//other.example.com/steal')).rejects.toThrow(elsewhere);
    await expect(shelves.fetch('https://other.example.com/x')).rejects.toThrow(elsewhere);
    await caller.close();
  });

  it('builds a client with registerAsync from a factory, and replaces an Authorization the caller set', async () => {
    @Module({ providers: [{ provide: 'KEY_FILE', useValue: keyFile }], exports: ['KEY_FILE'] })
    class KeyFileModule {}
    const caller = await Test.createTestingModule({
      imports: [
        EndpointsClientModule.registerAsync({
          name: 'shelves',
          imports: [KeyFileModule],
          inject: ['KEY_FILE'],
          useFactory: (path: string) => ({ audience: AUDIENCE, baseUrl: url, source: new ServiceAccountTokenSource(path) }),
        }),
      ],
    }).compile();
    const shelves = caller.get<EndpointsClient>(getEndpointsClientToken('shelves'));
    const response = await shelves.fetch('/whoami', { headers: { authorization: 'Bearer stale', 'x-request-id': '7' } });
    expect(response.status).toBe(200);
    expect(await shelves.metadata()).toEqual({ authorization: `Bearer ${await shelves.getToken()}` });
    await caller.close();
  });
});
