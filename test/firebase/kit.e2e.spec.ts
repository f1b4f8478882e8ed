/**
 * The testing kit mints tokens that pass the Firebase profile for a Firebase definition — a kid, RS256, `aud` the
 * project, `auth_time`, a uid-shaped `sub`, and the first listed tenant — on both adapters, through the real guard.
 */
import { type INestApplication, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { EndpointsAuthTesting } from 'nestjs-endpoints-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule } from '../../lib/index.js';
import { ADAPTERS, call } from '../support/app.js';
import { ClaimsController, ID_TOKEN_ISSUER, PROJECT, SESSION_ISSUER } from './firebase-kit.js';

/** The spec a team writes for Firebase: Google's key URL (the kit replaces it), the project as audience. */
const SPEC = {
  swagger: '2.0',
  info: { title: 'kit', version: '1' },
  host: 'kit.example.com',
  securityDefinitions: Object.fromEntries(
    [
      ['firebase', ID_TOKEN_ISSUER],
      ['session', SESSION_ISSUER],
    ].map(([name, issuer]) => [
      name,
      {
        type: 'oauth2',
        flow: 'implicit',
        authorizationUrl: '',
        'x-google-issuer': issuer,
        'x-google-jwks_uri': 'https://www.googleapis.com/service_accounts/v1/metadata/x509/securetoken@system.gserviceaccount.com',
        // Written with the scheme: ESP compares without it, the profile wants the bare project, which the kit mints.
        'x-google-audiences': name === 'firebase' ? PROJECT : `https://${PROJECT}`,
      },
    ]),
  ),
  paths: {},
};

describe.each(ADAPTERS)('the testing kit with the Firebase profile on %s', (adapter, makeAdapter) => {
  const auth = new EndpointsAuthTesting();
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    const definitions = { firebase: { firebase: { tenants: ['tenant-a', 'tenant-b'], checkRevoked: () => false } }, session: { firebase: true } };
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: SPEC, definitions })], controllers: [ClaimsController] })
    class AppModule {}
    const moduleRef = await auth.override(Test.createTestingModule({ imports: [AppModule] })).compile();
    app = moduleRef.createNestApplication(makeAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  });
  afterAll(() => app?.close());

  it(`mints ID tokens that pass (${adapter}): aud the project, auth_time, and the first tenant listed`, async () => {
    const response = await call(`${url}/me`, { headers: auth.header('firebase', { email: 'a@b.c' }) });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ iss: ID_TOKEN_ISSUER, aud: PROJECT, sub: 'test-user', email: 'a@b.c', firebase: { tenant: 'tenant-a' } });
    expect(response.body.auth_time).toBe(response.body.iat);
    const header = JSON.parse(Buffer.from(auth.token('firebase').split('.')[0], 'base64url').toString());
    expect(header).toMatchObject({ alg: 'RS256', kid: expect.any(String) });
  });

  it('mints for the session-cookie issuer the bare project, though the spec writes https://<project>', async () => {
    const response = await call(`${url}/session`, { headers: auth.header('session') });
    expect({ status: response.status, aud: response.body.aud }).toEqual({ status: 200, aud: PROJECT });
  });

  it('lets a test name another tenant, which the profile then refuses', async () => {
    const listed = await call(`${url}/me`, { headers: auth.header('firebase', { firebase: { tenant: 'tenant-b' } }) });
    expect(listed.status).toBe(200);
    const other = await call(`${url}/me`, { headers: auth.header('firebase', { firebase: { tenant: 'tenant-z' } }) });
    expect({ status: other.status, errorCode: other.body.errorCode }).toEqual({ status: 401, errorCode: 'TENANT_NOT_ALLOWED' });
  });
});
