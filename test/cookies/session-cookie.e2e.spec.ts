/**
 * The Firebase session-cookie preset: its definition, a session cookie signed with a real certificate key and served
 * as Google's X.509 map on 127.0.0.1, the testing kit placing a cookie token, and the start-up errors of cookie
 * locations — on Express and Fastify.
 */
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { EndpointsAuthTesting } from 'nestjs-endpoints-auth/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EndpointsAuthModule,
  FIREBASE_SESSION_COOKIE_KEYS_URL,
  type JwtClaims,
  Secured,
  SpecError,
  UserInfo,
  firebaseSessionCookieDefinition,
} from '../../lib/index.js';
import { makeCertificates } from '../keys/certificates.js';
import { startupError, startsCleanly } from '../api-config/spec-kit.js';
import { ADAPTERS, type AdapterName, Apps, bearer, call, startApp } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { type TestKey, claims, nowSeconds, signJwt } from '../support/keys.js';

const PROJECT = 'my-project';
const SESSION_ISSUER = `https://session.firebase.google.com/${PROJECT}`;

@Secured('session')
@Controller('me')
class MeController {
  @Get()
  me(@UserInfo() user: JwtClaims) {
    return { iss: user.iss, aud: user.aud, sub: user.sub };
  }
}

/** An OpenAPI 2 spec object whose only definition is `session`. */
function specWith(session: object) {
  return { swagger: '2.0', info: { title: 'session', version: '1' }, host: 'svc.example.com', securityDefinitions: { session }, paths: {} };
}

describe('firebaseSessionCookieDefinition', () => {
  it('is the session issuer, the relyingparty certificate map, the project audience and the __session cookie', () => {
    expect(firebaseSessionCookieDefinition(PROJECT)).toEqual({
      type: 'oauth2',
      flow: 'implicit',
      authorizationUrl: '',
      'x-google-issuer': 'https://session.firebase.google.com/my-project',
      'x-google-jwks_uri': 'https://www.googleapis.com/identitytoolkit/v3/relyingparty/publicKeys',
      'x-google-audiences': 'my-project',
      'x-google-jwt-locations': [{ cookie: '__session' }],
    });
    expect(FIREBASE_SESSION_COOKIE_KEYS_URL).toBe('https://www.googleapis.com/identitytoolkit/v3/relyingparty/publicKeys');
  });

  it('reads the cookie named in options', () => {
    expect(firebaseSessionCookieDefinition(PROJECT, { cookie: '__Host-session' })['x-google-jwt-locations']).toEqual([{ cookie: '__Host-session' }]);
  });

  it('refuses a project ID or a cookie name that cannot be one, with a clear error', () => {
    expect(() => firebaseSessionCookieDefinition('')).toThrow('the project ID must be a Firebase project ID (lower-case letters, digits and hyphens), got ""');
    expect(() => firebaseSessionCookieDefinition('My Project/x')).toThrow('got "My Project/x"');
    expect(() => firebaseSessionCookieDefinition(PROJECT, { cookie: 'a;b' })).toThrow('cookie must be a cookie name');
    expect(() => firebaseSessionCookieDefinition(PROJECT, { cookie: '' })).toThrow('cookie must be a cookie name');
  });
});

describe.each(ADAPTERS)('a Firebase session cookie on %s', (adapter: AdapterName) => {
  const certs = makeCertificates();
  /** Signs as the certificate `valid` of the served map (its kid is the map's key). */
  const signer: TestKey = { kid: 'valid', alg: 'RS256', privateKey: certs.signer, jwk: {} };
  const server = new KeyServer();
  const apps = new Apps();
  let url: string;
  const sessionCookie = (overrides: Record<string, unknown> = {}) =>
    signJwt(signer, claims(SESSION_ISSUER, PROJECT, { sub: 'uid-1', auth_time: nowSeconds() - 60, ...overrides }));

  beforeAll(async () => {
    await server.start();
    // Google's X.509 map, as the relyingparty URL serves it.
    server.set('/publicKeys', { body: { valid: certs.valid, other: certs.other } });
    const session = { ...firebaseSessionCookieDefinition(PROJECT), 'x-google-jwks_uri': `${server.url}/publicKeys` };
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: specWith(session), allowInsecureKeyUrls: true })], controllers: [MeController] })
    class SessionModule {}
    ({ url } = apps.track(await startApp(SessionModule, adapter)));
  });
  afterAll(async () => {
    await apps.closeAll();
    await server.stop();
  });

  it('accepts the session cookie in __session: 200 with its claims', async () => {
    const answer = await call(`${url}/me`, { headers: { cookie: `__session=${sessionCookie()}` } });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { iss: SESSION_ISSUER, aud: PROJECT, sub: 'uid-1' } });
  });

  it('refuses one without iat, as for Firebase ID tokens', async () => {
    const answer = await call(`${url}/me`, { headers: { cookie: `__session=${sessionCookie({ iat: undefined })}` } });
    expect({ status: answer.status, errorCode: answer.body?.errorCode }).toEqual({ status: 401, errorCode: 'INVALID_TOKEN' });
  });

  it('refuses another project (audience) and the same cookie sent as a bearer token', async () => {
    const other = signJwt(signer, claims(SESSION_ISSUER, 'other-project', { sub: 'uid-1' }));
    expect((await call(`${url}/me`, { headers: { cookie: `__session=${other}` } })).status).toBe(403);
    expect((await call(`${url}/me`, { headers: bearer(sessionCookie()) })).body?.errorCode).toBe('MISSING_TOKEN');
  });
});

describe.each([
  ['Express', () => new ExpressAdapter()],
  ['Fastify', () => new FastifyAdapter()],
] as const)('the testing kit with a cookie definition on %s', (_name, makeAdapter) => {
  const auth = new EndpointsAuthTesting();
  let app: INestApplication;
  let url: string;

  beforeAll(async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: specWith(firebaseSessionCookieDefinition(PROJECT)) })], controllers: [MeController] })
    class KitModule {}
    const moduleRef = await auth.override(Test.createTestingModule({ imports: [KitModule] })).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(makeAdapter() as FastifyAdapter, { logger: false });
    await app.listen(0, '127.0.0.1');
    url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  });
  afterAll(() => app?.close());

  it('auth.header() gives the Cookie header "__session=<token>", which the guard accepts', async () => {
    const header = auth.header('session', { sub: 'kit-user' });
    expect(Object.keys(header)).toEqual(['cookie']);
    expect(header['cookie']!.startsWith('__session=')).toBe(true);
    const answer = await call(`${url}/me`, { headers: header });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { iss: SESSION_ISSUER, aud: PROJECT, sub: 'kit-user' } });
  });

  it('a failing token placed the same way is refused', async () => {
    expect((await call(`${url}/me`, { headers: auth.header('session', {}, 'expired') })).body?.errorCode).toBe('TOKEN_EXPIRED');
  });
});

describe('cookie locations at start-up', () => {
  const definition = (locations: unknown) => ({ ...firebaseSessionCookieDefinition(PROJECT), 'x-google-jwt-locations': locations });
  const failure = (spec: object) => startupError({ imports: [EndpointsAuthModule.forRoot({ spec })] });

  it('refuses a value_prefix on a cookie, in ESPv2 words', async () => {
    const error = await failure(specWith(definition([{ cookie: '__session', value_prefix: 'Bearer ' }])));
    expect(error).toBeInstanceOf(SpecError);
    expect(error.message).toContain('x-google-jwt-locations[0]: JwtLocation type [cookie] should be set without valuePrefix');
  });

  it('refuses a name no cookie can have, and an empty one', async () => {
    const spaced = await failure(specWith(definition([{ cookie: 'my session' }])));
    expect(spaced.message).toContain(`x-google-jwt-locations[0].cookie must be a cookie name (letters, digits and !#$%&'*+-.^_\`|~), got "my session"`);
    expect((await failure(specWith(definition([{ cookie: 'a=b' }])))).message).toContain('got "a=b"');
    expect((await failure(specWith(definition([{ cookie: '' }])))).message).toContain('x-google-jwt-locations[0].cookie must be a non-empty string');
  });

  it('refuses an entry with a cookie and a header', async () => {
    const error = await failure(specWith(definition([{ cookie: 'a', header: 'b' }])));
    expect(error.message).toContain('must have exactly one of header, query or cookie');
  });

  it('reads OpenAPI 3 x-google-auth.jwtLocations and a service config\'s jwt_locations cookie entries', async () => {
    const openApi3 = {
      openapi: '3.0.3',
      info: { title: 'oas3', version: '1' },
      servers: [{ url: 'https://svc.example.com' }],
      components: {
        securitySchemes: {
          session: {
            type: 'oauth2',
            flows: { implicit: { authorizationUrl: '', scopes: {} } },
            'x-google-auth': { issuer: SESSION_ISSUER, jwksUri: 'https://keys.example.com/x509', audiences: [PROJECT], jwtLocations: [{ cookie: '__session' }] },
          },
        },
      },
      paths: {},
    };
    await startsCleanly({ imports: [EndpointsAuthModule.forRoot({ spec: openApi3 })] });
    const serviceConfig = {
      type: 'google.api.Service',
      config_version: 3,
      name: 'svc.example.com',
      authentication: {
        providers: [{ id: 'session', issuer: SESSION_ISSUER, jwks_uri: 'https://keys.example.com/x509', jwt_locations: [{ cookie: '__session', value_prefix: 'x' }] }],
      },
    };
    const error = await failure(serviceConfig);
    expect(error.message).toContain('jwt_locations[0]: JwtLocation type [cookie] should be set without valuePrefix');
  });
});
