/**
 * The route table as a team sees it: one verbose log line per route at start-up, and `routeTable()` to snapshot the
 * API's security; each route registered under every path Nest gives it (global prefix, URI version, RouterModule,
 * every controller path), decided once, and a route with a literal spec path under it decided by its parameter.
 */
import { Controller, Get, Module, Post, VERSION_NEUTRAL, VersioningType } from '@nestjs/common';
import { ExpressAdapter } from '@nestjs/platform-express';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { RouterModule } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, Public, RouteRequirements, Secured } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { CapturingLogger, startWith } from '../api-config/spec-kit.js';
import { ADAPTERS, type AdapterName } from '../support/app.js';

@Controller(['shelves', 'internal/shelves'])
class ShelvesController {
  @Get(':shelf')
  get() {
    return 'get';
  }

  @Secured('beta')
  @Post()
  create() {
    return 'create';
  }
}

@Controller({ path: 'reports', version: '2' })
class ReportsController {
  @Public()
  @Get()
  list() {
    return 'list';
  }
}

@Controller('users')
class AdminUsersController {
  @Get()
  list() {
    return 'users';
  }
}

@Module({ controllers: [AdminUsersController] })
class AdminModule {}

describe.each(ADAPTERS)('the route table on %s', (adapter: AdapterName) => {
  let issuers: Issuers;
  let logger: CapturingLogger;
  let table: ReturnType<RouteRequirements['routeTable']>;
  let routes: RouteRequirements;
  let close: () => Promise<void>;

  beforeAll(async () => {
    issuers = await startIssuers();
    const spec = openApi2(issuers, {
      security: [{ alpha: [] }],
      paths: {
        '/shelves/{shelf}': { get: { security: [] } },
        '/shelves/featured': { get: { security: [{ beta: [] }] } },
        '/admin/users': { get: { security: [{ beta: [] }] } },
      },
    });
    logger = new CapturingLogger();
    const { app } = await startWith(
      {
        imports: [EndpointsAuthModule.forRoot({ spec }), AdminModule, RouterModule.register([{ path: 'admin', module: AdminModule }])],
        controllers: [ShelvesController, ReportsController],
      },
      adapter,
      logger,
    );
    routes = app.get(RouteRequirements);
    table = routes.routeTable();
    close = () => app.close();
  });
  afterAll(async () => {
    await close?.();
    await issuers?.server.stop();
  });

  it('holds every path Nest registered for each handler, each decided once', () => {
    const rows = table.map((row) => `${row.method} ${row.path} ${row.handler} ${row.source} ${row.requirement?.providers.join('|') ?? '-'}`);
    expect(rows.sort()).toEqual(
      [
        'GET /admin/users AdminUsersController.list spec GET /admin/users beta',
        'GET /internal/shelves/:shelf ShelvesController.get spec security alpha',
        'GET /reports ReportsController.list @Public -',
        'GET /shelves/:shelf ShelvesController.get parameters alpha|beta',
        'POST /internal/shelves ShelvesController.create @Secured beta',
        'POST /shelves ShelvesController.create @Secured beta',
      ].sort(),
    );
  });

  it('lists, for a route decided by its parameter, each spec path it can serve', () => {
    const row = table.find((entry) => entry.path === '/shelves/:shelf');
    expect(row?.cases?.map((entry) => `${entry.source}: ${entry.requirement?.providers.join('|') ?? '-'}`)).toEqual([
      'spec GET /shelves/featured: beta',
      'spec GET /shelves/{shelf}: -',
      'spec security: alpha',
    ]);
  });

  it('a path the router matched that the table does not hold for the handler fails closed for the whole spec', () => {
    const request = { method: 'GET', headers: {}, route: { path: '/not/a/registered/path' }, params: {} };
    const context = new ExecutionContextHost([request, {}, () => undefined], ShelvesController, ShelvesController.prototype.get);
    context.setType('http');
    expect(routes.requirementFor(context, request)?.providers.sort()).toEqual(['alpha', 'beta']);
    // The same handler on a path it was registered at is decided as the table says (the API level, alpha).
    const known = { ...request, route: { path: '/internal/shelves/:shelf' } };
    const knownContext = new ExecutionContextHost([known, {}, () => undefined], ShelvesController, ShelvesController.prototype.get);
    knownContext.setType('http');
    expect(routes.requirementFor(knownContext, known)?.providers).toEqual(['alpha']);
  });

  it('logs one verbose line per route, never at a louder level', () => {
    const lines = logger.lines.filter((line) => line.context === 'EndpointsAuthRoutes');
    expect(lines.every((line) => line.level === 'verbose')).toBe(true);
    expect(lines.map((line) => line.message)).toEqual(
      expect.arrayContaining([
        'GET /admin/users → beta (spec GET /admin/users, AdminUsersController.list)',
        'GET /reports → nothing (@Public, ReportsController.list)',
        'GET /shelves/:shelf → by its parameters [spec GET /shelves/featured: beta; spec GET /shelves/{shelf}: nothing; spec security: alpha] (ShelvesController.get)',
      ]),
    );
    expect(lines).toHaveLength(table.length);
  });
});

describe.each(ADAPTERS)('global prefix and URI versions in the table on %s', (adapter: AdapterName) => {
  @Controller({ path: 'reports', version: ['1', '2'] })
  class VersionedReports {
    @Get()
    list() {
      return 'list';
    }
  }

  @Controller({ path: 'health', version: VERSION_NEUTRAL })
  class Health {
    @Get()
    check() {
      return 'ok';
    }
  }

  it('registers each prefixed, versioned path (prefix exclusions honoured) and matches the spec with or without them', async () => {
    const issuers = await startIssuers();
    const spec = openApi2(issuers, {
      security: [{ alpha: [] }],
      paths: { '/reports': { get: { security: [{ beta: [] }] } }, '/health': { get: { security: [] } } },
    });
    const moduleRef = await Test.createTestingModule({
      imports: [EndpointsAuthModule.forRoot({ spec })],
      controllers: [VersionedReports, Health],
    }).compile();
    const app = moduleRef.createNestApplication(adapter === 'fastify' ? new FastifyAdapter() : new ExpressAdapter(), { logger: false });
    app.setGlobalPrefix('api', { exclude: ['health'] });
    app.enableVersioning({ type: VersioningType.URI });
    try {
      await app.init();
      const rows = app.get(RouteRequirements).routeTable().map((row) => `${row.path} ${row.source} ${row.requirement?.providers.join('|') ?? '-'}`);
      expect(rows.sort()).toEqual(['/api/v1/reports spec GET /reports beta', '/api/v2/reports spec GET /reports beta', '/health spec GET /health -']);
    } finally {
      await app.close();
      await issuers.server.stop();
    }
  });
});
