'use strict';
// A CommonJS e2e test of a plain Nest app, written with the packed testing kit (require()d): it compiles the app
// through the kit, calls a secured route with a kit token and without one, and prints the statuses as JSON.
require('reflect-metadata');
const { Controller, Get, Module } = require('@nestjs/common');
const { Test } = require('@nestjs/testing');
const { EndpointsAuthModule, Secured, UserInfo } = require('nestjs-endpoints-auth');
const { EndpointsAuthTesting } = require('nestjs-endpoints-auth/testing');

setTimeout(() => {
  console.error('testing.cjs: timed out');
  process.exit(2);
}, 20_000).unref();

class MeController {
  me(claims) {
    return { sub: claims.sub, email: claims.email };
  }
}
Controller('me')(MeController);
Secured('firebase')(MeController);
UserInfo()(MeController.prototype, 'me', 0);
const descriptor = Object.getOwnPropertyDescriptor(MeController.prototype, 'me');
Object.defineProperty(MeController.prototype, 'me', Get()(MeController.prototype, 'me', descriptor) ?? descriptor);

class AppModule {}
Module({
  imports: [
    EndpointsAuthModule.forRoot({
      spec: {
        swagger: '2.0',
        host: 'svc.example.com',
        securityDefinitions: {
          firebase: {
            type: 'oauth2',
            'x-google-issuer': 'https://securetoken.google.com/p',
            'x-google-jwks_uri': 'https://www.googleapis.com/service_accounts/v1/metadata/x509/securetoken@system.gserviceaccount.com',
            'x-google-audiences': 'p',
          },
        },
        paths: {},
      },
      keyCache: { eager: true, fetchTimeoutMs: 500 },
    }),
  ],
  controllers: [MeController],
})(AppModule);

async function main() {
  const auth = new EndpointsAuthTesting();
  const moduleRef = await auth.override(Test.createTestingModule({ imports: [AppModule] })).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address();
  const get = async (headers) => {
    const response = await fetch(`http://127.0.0.1:${port}/me`, { headers });
    return { status: response.status, body: await response.json() };
  };
  try {
    const minted = await get(auth.header('firebase', { sub: 'u1', email: 'a@b.c' }));
    const expired = await get(auth.header('firebase', {}, 'expired'));
    console.log(JSON.stringify({ minted, expired: { status: expired.status, errorCode: expired.body.errorCode } }));
  } finally {
    await app.close();
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
