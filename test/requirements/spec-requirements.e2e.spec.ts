/**
 * The spec's `security` on routes without a decorator (ESP rules R8–R10): the operation matched by method and path
 * template, the API level for routes the spec does not list, `security: []` as no auth, OpenAPI 2 `basePath` with a
 * Nest global prefix, and no requirement at all when the spec has none.
 */
import { Controller, Delete, Get, HttpCode, Post, Put } from '@nestjs/common';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type JwtClaims, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { Apps, boot, requirementChecks, tokensOf, withIssuers } from './requirements-kit.js';

const echo = (handler: string, user: JwtClaims | undefined) => ({ handler, iss: user?.iss ?? null });

/** No decorator anywhere: every requirement comes from the spec. */
@Controller('shelves')
class ShelvesController {
  @Get()
  list(@UserInfo() user?: JwtClaims) {
    return echo('list', user);
  }

  @Post()
  @HttpCode(200)
  create(@UserInfo() user?: JwtClaims) {
    return echo('create', user);
  }

  @Get(':shelf')
  get(@UserInfo() user?: JwtClaims) {
    return echo('get', user);
  }

  @Delete(':shelf')
  remove(@UserInfo() user?: JwtClaims) {
    return echo('remove', user);
  }

  /** The spec names these variables {shelf} and {book}: only the shape of a template counts. */
  @Get(':s/books/:b')
  book(@UserInfo() user?: JwtClaims) {
    return echo('book', user);
  }
}

@Controller('authors')
class AuthorsController {
  @Put(':id')
  update(@UserInfo() user?: JwtClaims) {
    return echo('update', user);
  }

  @Delete(':id')
  remove(@UserInfo() user?: JwtClaims) {
    return echo('remove-author', user);
  }
}

/** A catch-all route: the spec's `{path=**}` is Nest's `*`. */
@Controller('files')
class FilesController {
  @Get('*')
  get(@UserInfo() user?: JwtClaims) {
    return echo('files', user);
  }
}

/** Counts its runs: Express and Fastify both answer HEAD with the GET handler, so a HEAD runs it too. */
@Controller('reports')
class ReportsController {
  static runs = 0;

  @Get(':report')
  get(@UserInfo() user?: JwtClaims) {
    ReportsController.runs++;
    return echo('report', user);
  }
}

/** A literal route where the spec has only a template: ESP matches the URL, so `/catalog/featured` is `/catalog/{item}`. */
@Controller('catalog')
class CatalogController {
  @Get('featured')
  featured(@UserInfo() user?: JwtClaims) {
    return echo('featured', user);
  }

  @Get(':item')
  item(@UserInfo() user?: JwtClaims) {
    return echo('item', user);
  }
}

describe.each(ADAPTERS)('spec security on undecorated routes on %s', (adapter: AdapterName) => {
  let issuers: Issuers;
  let tokens: ReturnType<typeof tokensOf>;
  let check: ReturnType<typeof requirementChecks>;
  const apps = new Apps();

  withIssuers(apps, async (started, made) => {
    issuers = started;
    tokens = made;
    check = requirementChecks(started, made);
  });

  describe('operations, API level and security: []', () => {
    let url: string;

    beforeAll(async () => {
      const spec = openApi2(issuers, {
        security: [{ alpha: [] }],
        paths: {
          '/shelves': { get: { security: [] }, post: { summary: 'listed, without its own security' } },
          '/shelves/{shelf}': { get: { security: [{ beta: [] }] } },
          '/shelves/{shelf}/books/{book}': { get: { security: [{ beta: [] }] } },
          '/authors/{author}': { delete: { security: [{ api_key: [] }] } },
        },
      });
      // The key of DELETE /authors/{author} is checked by this validator; test/api-keys covers keys in depth.
      const apiKeys = { validate: (key: string) => key === 'good-key' };
      ({ url } = apps.track(await boot(adapter, { spec, apiKeys }, [ShelvesController, AuthorsController])));
    });

    it('applies the operation of GET /shelves/{shelf} to @Get(":shelf") under @Controller("shelves"), replacing the API level', async () => {
      // requires() also proves the API-level alpha is not merged in: an alpha token is refused.
      const ok = await check.requires(`${url}/shelves/s1`, 'beta');
      expect(ok.body).toEqual({ handler: 'get', iss: issuers.beta.issuer });
    });

    it('matches a nested template whatever the variables are called ({book} ↔ :b)', async () => {
      const ok = await check.requires(`${url}/shelves/s1/books/b1`, 'beta');
      expect(ok.body).toEqual({ handler: 'book', iss: issuers.beta.issuer });
    });

    it('does not apply GET /shelves/{shelf} to DELETE on the same path: the API level (alpha) applies', async () => {
      const ok = await check.requires(`${url}/shelves/s1`, 'alpha', 'DELETE');
      expect(ok.body).toEqual({ handler: 'remove', iss: issuers.alpha.issuer });
    });

    it('does not apply /shelves/{shelf} to /shelves: GET /shelves has security: [] and is open, though the API level requires alpha', async () => {
      await check.open(`${url}/shelves`);
    });

    it('applies the API level to an operation listed without its own security (POST /shelves)', async () => {
      const ok = await check.requires(`${url}/shelves`, 'alpha', 'POST');
      expect(ok.body).toEqual({ handler: 'create', iss: issuers.alpha.issuer });
    });

    it('applies the API level to a route the spec does not list (PUT /authors/{id})', async () => {
      const ok = await check.requires(`${url}/authors/a1`, 'alpha', 'PUT');
      expect(ok.body).toEqual({ handler: 'update', iss: issuers.alpha.issuer });
    });

    it('an operation whose security names only an apiKey needs no JWT (R10), only the key', async () => {
      // No token, an expired one, a good one: the token is never looked at, and no claims reach the handler.
      for (const headers of [{}, bearer(tokens.alphaExpired()), bearer(tokens.alpha())]) {
        const answer = await call(`${url}/authors/a1?key=good-key`, { method: 'DELETE', headers });
        expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { handler: 'remove-author', iss: null } });
      }
      const keyless = await call(`${url}/authors/a1`, { method: 'DELETE', headers: bearer(tokens.alpha()) });
      expect({ status: keyless.status, errorCode: keyless.body?.errorCode }).toEqual({ status: 401, errorCode: 'API_KEY_MISSING' });
    });
  });

  describe('multi-segment wildcards', () => {
    it('applies /files/{path=**} to @Get("*") under @Controller("files"), however deep the path', async () => {
      const spec = openApi2(issuers, {
        security: [{ alpha: [] }],
        paths: { '/files/{path=**}': { get: { security: [{ beta: [] }] } } },
      });
      const { url } = apps.track(await boot(adapter, { spec }, [FilesController]));
      await check.requires(`${url}/files/a`, 'beta');
      const ok = await check.requires(`${url}/files/a/b/c.txt`, 'beta');
      expect(ok.body).toEqual({ handler: 'files', iss: issuers.beta.issuer });
    });
  });

  describe('a literal Nest route under a spec template', () => {
    afterEach(() => apps.closeAll());

    it('gets the template operation’s requirement, as ESP matches the URL /catalog/featured to /catalog/{item}', async () => {
      const spec = openApi2(issuers, { paths: { '/catalog/{item}': { get: { security: [{ beta: [] }] } } } });
      const { url } = apps.track(await boot(adapter, { spec }, [CatalogController]));
      await check.requires(`${url}/catalog/featured`, 'beta');
      await check.requires(`${url}/catalog/x1`, 'beta');
    });

    it('prefers a literal spec path over the template, as ESP does', async () => {
      const spec = openApi2(issuers, {
        paths: {
          '/catalog/{item}': { get: { security: [{ beta: [] }] } },
          '/catalog/featured': { get: { security: [] } },
        },
      });
      const { url } = apps.track(await boot(adapter, { spec }, [CatalogController]));
      await check.open(`${url}/catalog/featured`);
      await check.requires(`${url}/catalog/x1`, 'beta');
    });
  });

  describe('HEAD, which Express and Fastify serve with the GET handler', () => {
    afterEach(() => apps.closeAll());

    /** A HEAD answer has no body: the status, the challenge and whether the handler ran tell what happened. */
    async function head(url: string, headers: Record<string, string> = {}) {
      const before = ReportsController.runs;
      const response = await fetch(url, { method: 'HEAD', headers });
      return { status: response.status, challenge: response.headers.get('www-authenticate'), ran: ReportsController.runs > before };
    }

    it('GET /reports/{report} is checked by its operation (beta) when the spec has no API level', async () => {
      const spec = openApi2(issuers, { paths: { '/reports/{report}': { get: { security: [{ beta: [] }] } } } });
      const { url } = apps.track(await boot(adapter, { spec }, [ReportsController]));
      const before = ReportsController.runs;
      await check.requires(`${url}/reports/r1`, 'beta');
      expect(ReportsController.runs - before).toBe(1);
    });

    // The handler's declared method selects the operation, not the request's: a HEAD runs the GET handler.
    it('HEAD /reports/{report} without a token is refused like the GET, and the handler does not run', async () => {
      const spec = openApi2(issuers, { paths: { '/reports/{report}': { get: { security: [{ beta: [] }] } } } });
      const { url } = apps.track(await boot(adapter, { spec }, [ReportsController]));
      expect(await head(`${url}/reports/r1`)).toEqual({ status: 401, challenge: expect.stringMatching(/^Bearer realm=/), ran: false });
    });

    // With an API level, the HEAD still gets the GET operation's requirement (beta), not the API level's (alpha).
    it('HEAD /reports/{report} needs the operation\'s beta, not the API-level alpha', async () => {
      const spec = openApi2(issuers, {
        security: [{ alpha: [] }],
        paths: { '/reports/{report}': { get: { security: [{ beta: [] }] } } },
      });
      const { url } = apps.track(await boot(adapter, { spec }, [ReportsController]));
      expect(await head(`${url}/reports/r1`, { authorization: `Bearer ${tokens.alpha()}` })).toMatchObject({ status: 401, ran: false });
    });
  });

  describe('OpenAPI 2 basePath with a Nest global prefix', () => {
    let url: string;

    beforeAll(async () => {
      const spec = openApi2(issuers, {
        basePath: '/v1',
        security: [{ alpha: [] }],
        paths: {
          '/shelves': { get: { security: [] } },
          '/shelves/{shelf}': { get: { security: [{ beta: [] }] } },
        },
      });
      ({ url } = apps.track(
        await boot(adapter, { spec }, [ShelvesController], (app) => app.setGlobalPrefix('v1')),
      ));
    });

    it('GET /v1/shelves/{shelf} needs beta, as the operation /shelves/{shelf} under basePath /v1 says', async () => {
      const ok = await check.requires(`${url}/v1/shelves/s1`, 'beta');
      expect(ok.body).toEqual({ handler: 'get', iss: issuers.beta.issuer });
    });

    it('GET /v1/shelves is open (security: [])', async () => {
      await check.open(`${url}/v1/shelves`);
    });

    it('DELETE /v1/shelves/{shelf} (not listed) needs the API-level alpha', async () => {
      await check.requires(`${url}/v1/shelves/s1`, 'alpha', 'DELETE');
    });
  });

  describe('a spec without any security', () => {
    afterEach(() => apps.closeAll());

    it('leaves an undecorated route open when the spec has neither API-level nor operation security', async () => {
      const spec = openApi2(issuers, { paths: { '/shelves/{shelf}': { get: { summary: 'no security' } } } });
      const { url } = apps.track(await boot(adapter, { spec }, [ShelvesController]));
      await check.open(`${url}/shelves/s1`);
      await check.open(`${url}/shelves/s1`, 'DELETE');
      await check.open(`${url}/shelves`, 'POST');
    });

    it('with operation security only, the listed operation is checked and unlisted paths are open', async () => {
      const spec = openApi2(issuers, { paths: { '/shelves/{shelf}': { get: { security: [{ beta: [] }] } } } });
      const { url } = apps.track(await boot(adapter, { spec }, [ShelvesController]));
      await check.requires(`${url}/shelves/s1`, 'beta');
      await check.open(`${url}/shelves`);
    });

    it('fails closed for a method the spec does not list on a listed path (ESP answers 405): a token of that path', async () => {
      const spec = openApi2(issuers, { paths: { '/shelves/{shelf}': { get: { security: [{ beta: [] }] } } } });
      const { url } = apps.track(await boot(adapter, { spec }, [ShelvesController]));
      await check.requires(`${url}/shelves/s1`, 'beta', 'DELETE');
    });
  });
});
