/**
 * Spec requirements follow the request URL, as ESP matches it, whatever Nest route serves it: literal spec paths
 * before templates, listed paths with unlisted methods fail closed, prefixes and versions Nest adds are seen
 * through, and a HEAD, a preflight-shaped OPTIONS or a second token never opens a route.
 */
import { connect } from 'node:net';
import { All, Controller, Get, Head, type INestApplication, UseGuards, VersioningType } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import { afterEach, describe, expect, it } from 'vitest';
import { type JwtClaims, Public, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { Apps, boot, requirementChecks, tokensOf, withIssuers } from './requirements-kit.js';

const echo = (user?: JwtClaims) => ({ iss: user?.iss ?? null });

@Controller('shelves')
class ShelvesController {
  @Get('featured')
  featured(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }

  @Get(':shelf')
  shelf(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }
}

@Controller('items')
class ItemsController {
  @All()
  any(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }
}

@Controller('reports')
class ReportsController {
  @Get(':id')
  report(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }
}

@Controller({ path: 'reports', version: '1' })
class VersionedReportsController {
  @Get(':id')
  report(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }
}

@Controller('pings')
class PingsController {
  @Head(':id')
  head() {
    return '';
  }

  @Get(':id')
  get(@UserInfo() user?: JwtClaims) {
    return echo(user);
  }
}

@Controller('passport')
class PassportController {
  @UseGuards(AuthGuard('alpha'))
  @Get()
  viaPassport() {
    return { ok: true };
  }
}

@Controller('session')
class SessionController {
  @Public()
  @Get('public')
  open(@UserInfo() user?: JwtClaims) {
    return { user: user ?? null };
  }

  @Secured('alpha', { optional: true })
  @Get('optional')
  optional(@UserInfo() user?: JwtClaims) {
    return { user: user ?? null };
  }
}

/** Sends a GET whose repeated headers go out as separate lines (fetch and http.request join or refuse them). */
function rawGet(url: string, headers: [string, string][]): Promise<number> {
  const { hostname, port, pathname } = new URL(url);
  const lines = [`GET ${pathname} HTTP/1.1`, `Host: ${hostname}:${port}`, ...headers.map(([n, v]) => `${n}: ${v}`), 'Connection: close'];
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(`${lines.join('\r\n')}\r\n\r\n`));
    let answer = '';
    socket.on('data', (chunk) => (answer += chunk.toString()));
    socket.on('end', () => resolve(Number(answer.split(' ')[1])));
    socket.on('error', reject);
  });
}

describe.each(ADAPTERS)('spec requirements follow the URL on %s', (adapter: AdapterName) => {
  let issuers: Issuers;
  let tokens: ReturnType<typeof tokensOf>;
  let check: ReturnType<typeof requirementChecks>;
  const apps = new Apps();

  withIssuers(apps, async (started, made) => {
    issuers = started;
    tokens = made;
    check = requirementChecks(started, made);
  });
  afterEach(() => apps.closeAll());

  const start = async (spec: object, controllers: (new (...args: never[]) => unknown)[], configure?: (app: INestApplication) => void) =>
    apps.track(await boot(adapter, { spec }, controllers, configure));

  it('a literal spec path listed without its own security gets the API level, not the public template', async () => {
    const spec = openApi2(issuers, {
      security: [{ alpha: [] }],
      paths: { '/shelves/{shelf}': { get: { security: [] } }, '/shelves/featured': { get: {} } },
    });
    const { url } = await start(spec, [ShelvesController]);
    await check.requires(`${url}/shelves/featured`, 'alpha');
    await check.open(`${url}/shelves/s1`);
  });

  it('one Nest template serving a stricter literal spec path gets that path’s requirement', async () => {
    const spec = openApi2(issuers, {
      paths: { '/reports/{id}': { get: { security: [] } }, '/reports/admin': { get: { security: [{ beta: [] }] } } },
    });
    const { url } = await start(spec, [ReportsController]);
    await check.requires(`${url}/reports/admin`, 'beta');
    await check.open(`${url}/reports/r1`);
  });

  it('an @All() handler on a path the spec lists for POST only still needs that path’s token for GET and PUT', async () => {
    const spec = openApi2(issuers, { paths: { '/items': { post: { security: [{ beta: [] }] } } } });
    const { url } = await start(spec, [ItemsController]);
    await check.requires(`${url}/items`, 'beta', 'GET');
    await check.requires(`${url}/items`, 'beta', 'PUT');
  });

  it('sees through a global prefix the spec has no basePath for', async () => {
    const spec = openApi2(issuers, { paths: { '/reports/{id}': { get: { security: [{ beta: [] }] } } } });
    const { url } = await start(spec, [ReportsController], (app) => app.setGlobalPrefix('api'));
    await check.requires(`${url}/api/reports/q3`, 'beta');
  });

  it('sees through URI versioning', async () => {
    const spec = openApi2(issuers, { paths: { '/reports/{id}': { get: { security: [{ beta: [] }] } } } });
    const { url } = await start(spec, [VersionedReportsController], (app) => app.enableVersioning({ type: VersioningType.URI }));
    await check.requires(`${url}/v1/reports/q3`, 'beta');
  });

  it('matches a spec path whatever the case of the URL, where the adapter routes it', async () => {
    const spec = openApi2(issuers, { paths: { '/reports/{id}': { get: { security: [{ beta: [] }] } } } });
    const { url } = await start(spec, [ReportsController]);
    const answer = await call(`${url}/Reports/q3`);
    // Express routes case-insensitively (so the check must apply); Fastify answers 404.
    expect(answer.status).toBe(adapter === 'express' ? 401 : 404);
  });

  it('a HEAD uses the spec’s own HEAD operation when it lists one', async () => {
    const spec = openApi2(issuers, {
      paths: { '/pings/{id}': { get: { security: [] }, head: { security: [{ alpha: [] }] } } },
    });
    const { url } = await start(spec, [PingsController]);
    expect((await fetch(`${url}/pings/p1`, { method: 'HEAD' })).status).toBe(401);
    expect((await fetch(`${url}/pings/p1`, { method: 'HEAD', headers: bearer(tokens.alpha()) })).status).toBe(200);
    await check.open(`${url}/pings/p1`);
  });

  it('checks a preflight-shaped OPTIONS that reaches an @All() handler (only @Options() handlers are exempt)', async () => {
    const spec = openApi2(issuers, { paths: { '/items': { options: { security: [{ beta: [] }] } } } });
    const { url } = await start(spec, [ItemsController]);
    const preflight = { origin: 'https://app.example.com', 'access-control-request-method': 'POST' };
    expect((await call(`${url}/items`, { method: 'OPTIONS', headers: preflight })).status).toBe(401);
  });

  it('refuses a second Authorization header that does not verify, and accepts two that do', async () => {
    const spec = openApi2(issuers, { security: [{ alpha: [] }], paths: {} });
    const { url } = await start(spec, [ReportsController]);
    const good = `Bearer ${tokens.alpha()}`;
    expect(await rawGet(`${url}/reports/r1`, [['authorization', good], ['authorization', 'Bearer garbage']])).toBe(401);
    expect(await rawGet(`${url}/reports/r1`, [['authorization', good], ['authorization', `Bearer ${tokens.alpha({ jti: 'b' })}`]])).toBe(200);
    const iap = tokens.alpha({ jti: 'iap' });
    expect(await rawGet(`${url}/reports/r1`, [['x-goog-iap-jwt-assertion', iap], ['x-goog-iap-jwt-assertion', iap]])).toBe(200);
  });

  it('AuthGuard(name) used on its own refuses a request carrying two different tokens', async () => {
    const { url } = apps.track(await boot(adapter, { spec: openApi2(issuers), globalGuard: false }, [PassportController]));
    expect((await call(`${url}/passport`, { headers: bearer(tokens.alpha()) })).status).toBe(200);
    expect((await call(`${url}/passport?access_token=garbage`, { headers: bearer(tokens.alpha()) })).status).toBe(401);
  });

  it('never hands out a request.user that other middleware set: @UserInfo() is what this library verified', async () => {
    const spec = openApi2(issuers, { paths: {} });
    const { url } = await start(spec, [SessionController], (app) =>
      app.use((request: { user?: unknown; raw?: { user?: unknown } }, _response: unknown, next: () => void) => {
        request.user = { iss: 'session', admin: true };
        next();
      }),
    );
    expect((await call(`${url}/session/public`)).body).toEqual({ user: null });
    expect((await call(`${url}/session/optional`)).body).toEqual({ user: null });
    const verified = await call(`${url}/session/optional`, { headers: bearer(tokens.alpha()) });
    expect(verified.body.user).toMatchObject({ iss: issuers.alpha.issuer });
  });
});
