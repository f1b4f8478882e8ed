/**
 * `@Secured()` and `@Public()` write `@nestjs/swagger`'s own metadata, so `SwaggerModule.createDocument` alone shows
 * each operation's `security`, with our rule: a handler's decorator replaces its controller's as a whole.
 */
import { Controller, Get, type INestApplication, Module } from '@nestjs/common';
import { ApiOperation, ApiSecurity, DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, Public, Secured } from '../../lib/index.js';
import { SWAGGER_API_OPERATION, SWAGGER_API_SECURITY } from '../../lib/swagger/swagger-metadata-keys.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, startApp } from '../support/app.js';

@Secured('alpha')
@Controller('shelves')
class ShelvesController {
  @Get()
  list() {
    return [];
  }

  @Secured('beta')
  @Get('beta')
  beta() {
    return 'beta';
  }

  @ApiOperation({ summary: 'Open to anyone' })
  @Public()
  @Get('open')
  open() {
    return 'open';
  }

  @Public()
  @ApiOperation({ summary: 'Also open' })
  @Get('open-too')
  openToo() {
    return 'open';
  }

  @Secured('alpha', 'beta', { optional: true })
  @Get('maybe')
  maybe() {
    return 'maybe';
  }

  @Secured('alpha', 'beta', { scopes: ['read:shelves', 'write:shelves'], claims: { email_verified: true } })
  @Get('scoped')
  scoped() {
    return 'scoped';
  }
}

@Public()
@Controller('public')
class PublicController {
  @Get()
  index() {
    return 'index';
  }

  @Secured('beta')
  @Get('private')
  secret() {
    return 'private';
  }
}

@Controller('books')
class BooksController {
  @Get(':id')
  get() {
    return 'book';
  }
}

describe('the metadata keys', () => {
  it('are where the installed @nestjs/swagger’s own decorators write (this fails if a release moves them)', () => {
    @ApiSecurity('x')
    class Probe {
      @ApiOperation({ summary: 'probe' })
      handler() {}
    }
    expect(Reflect.getOwnMetadata(SWAGGER_API_SECURITY, Probe)).toEqual([{ x: [] }]);
    expect(Reflect.getOwnMetadata(SWAGGER_API_OPERATION, Probe.prototype.handler)).toMatchObject({ summary: 'probe' });
  });
});

describe.each(ADAPTERS)('SwaggerModule.createDocument with @Secured and @Public on %s', (adapter) => {
  let issuers: Issuers;
  let app: INestApplication;
  let paths: Record<string, Record<string, Record<string, unknown>>>;

  beforeAll(async () => {
    issuers = await startIssuers();
    @Module({
      imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers) })],
      controllers: [ShelvesController, PublicController, BooksController],
    })
    class AppModule {}
    ({ app } = await startApp(AppModule, adapter));
    paths = SwaggerModule.createDocument(app, new DocumentBuilder().build()).paths as never;
  });
  afterAll(async () => {
    await app?.close();
    await issuers?.server.stop();
  });

  it('gives each handler its decorator’s alternatives, the controller’s when it has none', () => {
    expect(paths['/shelves']!['get']!['security']).toEqual([{ alpha: [] }]);
    expect(paths['/shelves/beta']!['get']!['security']).toEqual([{ beta: [] }]);
  });

  it('lists the scopes of @Secured(..., { scopes }) under each alternative (claims have no place in OpenAPI)', () => {
    expect(paths['/shelves/scoped']!['get']!['security']).toEqual([
      { alpha: ['read:shelves', 'write:shelves'] },
      { beta: ['read:shelves', 'write:shelves'] },
    ]);
  });

  it('lists {} last for an optional token', () => {
    expect(paths['/shelves/maybe']!['get']!['security']).toEqual([{ alpha: [] }, { beta: [] }, {}]);
  });

  it('emits an explicit empty security for @Public(), even under a secured controller, keeping @ApiOperation either side', () => {
    expect(paths['/shelves/open']!['get']).toMatchObject({ security: [], summary: 'Open to anyone' });
    expect(paths['/shelves/open-too']!['get']).toMatchObject({ security: [], summary: 'Also open' });
  });

  it('lets a handler’s @Secured() replace a public controller’s []', () => {
    expect(paths['/public']!['get']!['security']).toEqual([]);
    expect(paths['/public/private']!['get']!['security']).toEqual([{ beta: [] }]);
  });

  it('leaves an undecorated route without security (applyEndpointsSecurity fills it from the spec)', () => {
    expect(paths['/books/{id}']!['get']!['security']).toBeUndefined();
  });
});
