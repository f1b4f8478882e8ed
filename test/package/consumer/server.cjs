'use strict';
// A plain CommonJS Nest app (no TypeScript, decorators applied by hand) that require()s the packed library, calls
// its own routes and prints their statuses and bodies as JSON.
require('reflect-metadata');
const { NestFactory } = require('@nestjs/core');
const { Controller, Get, Module } = require('@nestjs/common');
const { EndpointsAuthModule, Public, Secured } = require('nestjs-endpoints-auth');

setTimeout(() => {
  console.error('server.cjs: timed out');
  process.exit(2);
}, 20_000).unref();

/** Applies method decorators as TypeScript's __decorate does: bottom-up, keeping a returned descriptor. */
function decorateMethod(cls, name, ...decorators) {
  let descriptor = Object.getOwnPropertyDescriptor(cls.prototype, name);
  for (const decorator of decorators.reverse()) descriptor = decorator(cls.prototype, name, descriptor) ?? descriptor;
  Object.defineProperty(cls.prototype, name, descriptor);
}

class ShelvesController {
  list() {
    return { shelves: [] };
  }

  health() {
    return { ok: true };
  }
}
// `@Secured('a') @Controller('shelves') class …`: class decorators get the class only, and run bottom-up.
// SetMetadata-based ones (@Secured, @Public) store their value on the class itself.
Controller('shelves')(ShelvesController);
Secured('a')(ShelvesController);
// A method decorator gets (prototype, name, descriptor) and stores its metadata on descriptor.value.
decorateMethod(ShelvesController, 'list', Get());
decorateMethod(ShelvesController, 'health', Public(), Get('health'));

class AppModule {}
Module({
  imports: [
    EndpointsAuthModule.forRoot({
      spec: {
        swagger: '2.0',
        host: 'svc.example.com',
        securityDefinitions: {
          a: {
            type: 'oauth2',
            'x-google-issuer': 'https://issuer.example',
            'x-google-jwks_uri': 'http://127.0.0.1:9/jwks',
          },
        },
        paths: {},
      },
    }),
  ],
  controllers: [ShelvesController],
})(AppModule);

async function main() {
  const app = await NestFactory.create(AppModule, { logger: false });
  await app.listen(0, '127.0.0.1');
  const { port } = app.getHttpServer().address();
  const get = async (path) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`);
    return { status: response.status, body: await response.json() };
  };
  try {
    console.log(JSON.stringify({ secured: await get('/shelves'), public: await get('/shelves/health') }));
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
