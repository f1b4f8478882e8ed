/**
 * Fifth routing review: the route table's lifecycle and wiring. Two apps in one process sharing controller classes
 * with different specs and prefixes, `globalGuard: false` with `@UseGuards(EndpointsAuthGuard)`, a guard subclass as
 * APP_GUARD, `overrideProvider(EndpointsAuthGuard)`, `setGlobalPrefix()` after `init()`, an application context with
 * no HTTP adapter, and one controller under two `RouterModule` paths. Real apps over real sockets on both adapters.
 */
import { Controller, Get, Injectable, Module, UseGuards } from '@nestjs/common';
import { APP_GUARD, NestFactory, RouterModule } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { EndpointsAuthGuard, EndpointsAuthModule, type JwtClaims, RouteRequirements, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';
import { Apps, tokensOf, withIssuers } from '../requirements/requirements-kit.js';
import { ADAPTERS, type AdapterName, startAppWith } from '../support/app.js';
import { Prober, bootRouting, guarded, open, seen } from './routing-kit.js';

@Controller()
class SharedController {
  @Get('admin')
  admin(@UserInfo() user?: JwtClaims) {
    return seen('admin', user);
  }

  @Get('public')
  pub(@UserInfo() user?: JwtClaims) {
    return seen('public', user);
  }
}

@UseGuards(EndpointsAuthGuard)
@Controller()
class LocalGuardController {
  @Get('admin')
  admin(@UserInfo() user?: JwtClaims) {
    return seen('admin', user);
  }
}

@Injectable()
class MyGuard extends EndpointsAuthGuard {}

@Controller('x')
class RoutedController {
  @Get('admin')
  admin(@UserInfo() user?: JwtClaims) {
    return seen('admin', user);
  }
}

/** `/admin` needs beta, `/public` nothing. */
const strict = (issuers: Issuers) =>
  openApi2(issuers, { paths: { '/admin': { get: { security: [{ beta: [] }] } }, '/public': { get: { security: [] } } } });
/** `/admin` open. */
const lax = (issuers: Issuers) => openApi2(issuers, { paths: { '/admin': { get: { security: [] } } } });

async function fromModule(module: Function, adapter: AdapterName, before?: (app: any) => Promise<void> | void) {
  const moduleRef = await Test.createTestingModule({ imports: [module as never] }).compile();
  const app =
    adapter === 'fastify'
      ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
      : moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
  await before?.(app);
  await app.listen(0, '127.0.0.1');
  const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
  return { app, url };
}

describe.each(ADAPTERS)('route table lifecycle and wiring on %s', (adapter: AdapterName) => {
  const apps = new Apps();
  let issuers: Issuers;
  let tokens: ReturnType<typeof tokensOf>;
  withIssuers(apps, (i, t) => {
    issuers = i;
    tokens = t;
  });

  it('two apps in one process sharing a controller class each use their own table (spec and prefix)', async () => {
    const a = apps.track(await bootRouting(adapter, { spec: strict(issuers), metadata: { controllers: [SharedController] } }));
    const b = apps.track(
      await bootRouting(adapter, {
        spec: lax(issuers),
        metadata: { controllers: [SharedController] },
        configure: (app) => app.setGlobalPrefix('api'),
      }),
    );
    const c = apps.track(
      await bootRouting(adapter, {
        spec: strict(issuers),
        metadata: { controllers: [SharedController] },
        configure: (app) => app.setGlobalPrefix('v2'),
      }),
    );
    expect(await new Prober(a.url, issuers, tokens).all({ '/admin': guarded('admin'), '/public': open('public') })).toEqual({
      '/admin': guarded('admin'),
      '/public': open('public'),
    });
    expect(await new Prober(b.url, issuers, tokens).all({ '/api/admin': open('admin') })).toEqual({ '/api/admin': open('admin') });
    expect(await new Prober(c.url, issuers, tokens).all({ '/v2/admin': guarded('admin') })).toEqual({ '/v2/admin': guarded('admin') });
    // a again, after b and c started: its table was not replaced
    expect(await new Prober(a.url, issuers, tokens).outcomes('/admin')).toEqual(guarded('admin'));
  });

  it('globalGuard: false with @UseGuards(EndpointsAuthGuard) on a controller applies the spec', async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: strict(issuers), globalGuard: false })], controllers: [LocalGuardController] })
    class M {}
    const started = apps.track(await fromModule(M, adapter));
    expect(await new Prober(started.url, issuers, tokens).outcomes('/admin')).toEqual(guarded('admin'));
  });

  it('a guard subclass registered as APP_GUARD (globalGuard: false) applies the spec', async () => {
    @Module({
      imports: [EndpointsAuthModule.forRoot({ spec: strict(issuers), globalGuard: false })],
      controllers: [SharedController],
      providers: [{ provide: APP_GUARD, useClass: MyGuard }],
    })
    class M {}
    const started = apps.track(await fromModule(M, adapter));
    expect(await new Prober(started.url, issuers, tokens).all({ '/admin': guarded('admin'), '/public': open('public') })).toEqual({
      '/admin': guarded('admin'),
      '/public': open('public'),
    });
  });

  it('overrideProvider(EndpointsAuthGuard).useClass(subclass) still guards through the global guard', async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: strict(issuers) })], controllers: [SharedController] })
    class M {}
    const moduleRef = await Test.createTestingModule({ imports: [M] }).overrideProvider(EndpointsAuthGuard).useClass(MyGuard).compile();
    const app =
      adapter === 'fastify'
        ? moduleRef.createNestApplication(new FastifyAdapter(), { logger: false })
        : moduleRef.createNestApplication(new ExpressAdapter(), { logger: false });
    await app.listen(0, '127.0.0.1');
    apps.track({ app });
    const url = (await app.getUrl()).replace('[::1]', '127.0.0.1').replace('localhost', '127.0.0.1');
    expect(await new Prober(url, issuers, tokens).outcomes('/admin')).toEqual(guarded('admin'));
  });

  it('setGlobalPrefix() after init(): routes stay unprefixed and keep their requirement', async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: strict(issuers) })], controllers: [SharedController] })
    class M {}
    const started = apps.track(
      await fromModule(M, adapter, async (app) => {
        await app.init();
        app.setGlobalPrefix('api');
      }),
    );
    const prober = new Prober(started.url, issuers, tokens);
    expect(await prober.outcomes('/admin')).toEqual(guarded('admin'));
    expect((await prober.outcomes('/api/admin')).none).toBe('404');
    const rows = started.app.get(RouteRequirements).routeTable();
    expect(rows.find((row) => row.handler === 'SharedController.admin')?.path).toBe('/admin');
  });

  it('one controller under two RouterModule paths: each path gets its own spec operation', async () => {
    @Module({ controllers: [RoutedController] })
    class A {}
    @Module({ controllers: [RoutedController] })
    class B {}
    const spec = openApi2(issuers, {
      paths: { '/a/x/admin': { get: { security: [{ beta: [] }] } }, '/b/x/admin': { get: { security: [] } } },
    });
    const started = apps.track(
      await bootRouting(adapter, {
        spec,
        metadata: { imports: [A, B, RouterModule.register([{ path: 'a', module: A }, { path: 'b', module: B }])] },
      }),
    );
    expect(await new Prober(started.url, issuers, tokens).all({ '/a/x/admin': guarded('admin'), '/b/x/admin': open('admin') })).toEqual({
      '/a/x/admin': guarded('admin'),
      '/b/x/admin': open('admin'),
    });
  });
});

describe('application context without an HTTP adapter', () => {
  const apps = new Apps();
  let issuers: Issuers;
  withIssuers(apps, (i) => {
    issuers = i;
  });

  it('NestFactory.createApplicationContext importing the module starts, and the table lists the controller routes', async () => {
    @Module({ imports: [EndpointsAuthModule.forRoot({ spec: strict(issuers) })], controllers: [SharedController] })
    class M {}
    const context = await NestFactory.createApplicationContext(M, { logger: false });
    try {
      const rows = context.get(RouteRequirements).routeTable();
      expect(rows.find((row) => row.handler === 'SharedController.admin')?.requirement?.providers).toEqual(['beta']);
    } finally {
      await context.close();
    }
  });
});
