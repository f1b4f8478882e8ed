/**
 * API keys over real sockets on Express and Fastify: an operation whose security names an apiKey definition needs a
 * key (ESP's allow_unregistered_calls: false), read from the definition's place or ESP's defaults, checked after the
 * token by the apiKeys validator (synchronous and asynchronous), or left unchecked on purpose with one warning.
 */
import { Controller, Delete, Get } from '@nestjs/common';
import { beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type JwtClaims, Secured, UserInfo } from '../../lib/index.js';
import type { Issuers } from '../fixtures/issuers.js';
import { Apps, boot, expectRejected, tokensOf, withIssuers } from '../requirements/requirements-kit.js';
import { CapturingLogger, startWith } from '../api-config/spec-kit.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { GOOD_KEY, type ValidatorCall, apiKeySpec, expectKeyRefused, recordingValidator } from './api-keys-kit.js';

/** Every handler run, in order: a refused request must leave no trace here. */
const runs: string[] = [];
const echo = (handler: string, user: JwtClaims | undefined) => {
  runs.push(handler);
  return { handler, iss: user?.iss ?? null, sub: user?.sub ?? null };
};

@Controller('books')
class BooksController {
  @Get('open')
  open(@UserInfo() user?: JwtClaims) {
    return echo('open', user);
  }

  @Get('header')
  header(@UserInfo() user?: JwtClaims) {
    return echo('header', user);
  }

  @Get('defaults')
  defaults(@UserInfo() user?: JwtClaims) {
    return echo('defaults', user);
  }

  @Get('either')
  either(@UserInfo() user?: JwtClaims) {
    return echo('either', user);
  }

  @Get('public')
  unsecured(@UserInfo() user?: JwtClaims) {
    return echo('public', user);
  }

  @Get('inherited')
  inherited(@UserInfo() user?: JwtClaims) {
    return echo('inherited', user);
  }

  /** The spec asks for a key here, but the decorator wins over the spec, as everywhere. */
  @Secured('alpha')
  @Get('decorated')
  decorated(@UserInfo() user?: JwtClaims) {
    return echo('decorated', user);
  }
}

@Controller('authors')
class AuthorsController {
  @Delete(':author')
  remove(@UserInfo() user?: JwtClaims) {
    return echo('remove-author', user);
  }
}

/** Not in the spec: the API-level security (an alpha token AND a key) applies. */
@Controller('shelves')
class ShelvesController {
  @Get()
  list(@UserInfo() user?: JwtClaims) {
    return echo('shelves', user);
  }
}

const CONTROLLERS = [BooksController, AuthorsController, ShelvesController];

/** Whether `request` ran a handler: the answer and the handlers it ran. */
async function traced(request: () => Promise<Awaited<ReturnType<typeof call>>>) {
  const before = runs.length;
  const answer = await request();
  return { answer, ran: runs.slice(before) };
}

describe.each(ADAPTERS)('API keys on %s', (adapter: AdapterName) => {
  describe.each(['sync', 'async'] as const)('with a %s apiKeys.validate', (kind) => {
    const apps = new Apps();
    let issuers: Issuers;
    let tokens: ReturnType<typeof tokensOf>;
    let url: string;
    const validator = recordingValidator(kind);
    /** The validator's calls made by `request`. */
    async function asked(request: () => Promise<unknown>): Promise<ValidatorCall[]> {
      const before = validator.calls.length;
      await request();
      return validator.calls.slice(before);
    }

    withIssuers(apps, async (started, made) => {
      issuers = started;
      tokens = made;
      ({ url } = apps.track(await boot(adapter, { spec: apiKeySpec(started), apiKeys: validator }, CONTROLLERS)));
    });

    describe('a key-only operation ([{api_key: []}], the definition reads query "key")', () => {
      it('refuses a request without a key: 401 API_KEY_MISSING with ESP’s message, and the handler does not run', async () => {
        const { answer, ran } = await traced(() => call(`${url}/books/open`));
        expectKeyRefused(answer, 'API_KEY_MISSING');
        expect(ran).toEqual([]);
      });

      it('refuses a key the validator refuses: 401 API_KEY_INVALID, the key not echoed, and the handler does not run', async () => {
        const { answer, ran } = await traced(() => call(`${url}/books/open?key=wrong-key-4567`));
        expectKeyRefused(answer, 'API_KEY_INVALID', 'wrong-key-4567');
        expect(ran).toEqual([]);
      });

      it('passes the right key with no token at all, and hands the validator the key and the route’s context', async () => {
        let answer: Awaited<ReturnType<typeof call>> | undefined;
        const calls = await asked(async () => (answer = await call(`${url}/books/open?key=${GOOD_KEY}`)));
        expect({ status: answer?.status, body: answer?.body }).toEqual({ status: 200, body: { handler: 'open', iss: null, sub: null } });
        expect(calls).toEqual([{ key: GOOD_KEY, handler: 'open', type: 'http' }]);
      });

      it('ignores a token there (no JWT rule, R10): an expired one does not matter and no claims reach the handler', async () => {
        const answer = await call(`${url}/books/open?key=${GOOD_KEY}`, { headers: bearer(tokens.alphaExpired()) });
        expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { handler: 'open', iss: null, sub: null } });
      });

      it('reads only the definition’s place: ESP’s default places find no key', async () => {
        expectKeyRefused(await call(`${url}/books/open?api_key=${GOOD_KEY}`), 'API_KEY_MISSING');
        expectKeyRefused(await call(`${url}/books/open`, { headers: { 'x-api-key': GOOD_KEY } }), 'API_KEY_MISSING');
      });
    });

    describe('a definition’s own header (in: header, name: X-My-Key)', () => {
      it('passes the right key in that header, whatever its case', async () => {
        for (const name of ['X-My-Key', 'x-my-key']) {
          const answer = await call(`${url}/books/header`, { headers: { [name]: GOOD_KEY } });
          expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { handler: 'header', iss: null, sub: null } });
        }
      });

      it('refuses a wrong key there, and finds no key in the query or x-api-key', async () => {
        expectKeyRefused(await call(`${url}/books/header`, { headers: { 'x-my-key': 'nope' } }), 'API_KEY_INVALID', 'nope');
        expectKeyRefused(await call(`${url}/books/header?key=${GOOD_KEY}`), 'API_KEY_MISSING');
        expectKeyRefused(await call(`${url}/books/header`, { headers: { 'x-api-key': GOOD_KEY } }), 'API_KEY_MISSING');
      });
    });

    describe('a definition without in/name: ESP’s defaults (query key, query api_key, header x-api-key)', () => {
      it.each([
        ['query key', `?key=${GOOD_KEY}`, {}],
        ['query api_key', `?api_key=${GOOD_KEY}`, {}],
        ['header x-api-key', '', { 'x-api-key': GOOD_KEY }],
        ['query key, percent-encoded', `?key=${encodeURIComponent(GOOD_KEY).replace('-', '%2D')}`, {}],
      ])('passes the right key in %s', async (_place, query, headers: Record<string, string>) => {
        const answer = await call(`${url}/books/defaults${query}`, { headers });
        expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { handler: 'defaults', iss: null, sub: null } });
      });

      it('takes the first place that has a key, in ESP’s order, and counts an empty value as none', async () => {
        expectKeyRefused(await call(`${url}/books/defaults?key=wrong&api_key=${GOOD_KEY}`), 'API_KEY_INVALID', 'wrong');
        const queryFirst = await call(`${url}/books/defaults?api_key=${GOOD_KEY}`, { headers: { 'x-api-key': 'wrong' } });
        expect(queryFirst.status).toBe(200);
        expect((await call(`${url}/books/defaults?key=&api_key=${GOOD_KEY}`)).status).toBe(200);
        expectKeyRefused(await call(`${url}/books/defaults?key=`), 'API_KEY_MISSING');
      });
    });

    describe('a token AND a key ([{alpha: [], api_key: []}] on DELETE /authors/{author})', () => {
      it('checks the token first: no token is 401 MISSING_TOKEN, with or without a key, and the validator is not asked', async () => {
        const calls = await asked(async () => {
          expectRejected(await call(`${url}/authors/a1`, { method: 'DELETE' }), 'Jwt is missing', 'MISSING_TOKEN');
          expectRejected(await call(`${url}/authors/a1?key=${GOOD_KEY}`, { method: 'DELETE' }), 'Jwt is missing', 'MISSING_TOKEN');
        });
        expect(calls).toEqual([]);
      });

      it('refuses a bad token before looking at the key', async () => {
        const calls = await asked(async () => {
          const answer = await call(`${url}/authors/a1?key=${GOOD_KEY}`, { method: 'DELETE', headers: bearer(tokens.alphaBadSignature()) });
          expectRejected(answer, 'Jwt verification fails', 'INVALID_TOKEN');
        });
        expect(calls).toEqual([]);
      });

      it('refuses a good token without a key (API_KEY_MISSING) or with a wrong one (API_KEY_INVALID)', async () => {
        const { answer, ran } = await traced(() => call(`${url}/authors/a1`, { method: 'DELETE', headers: bearer(tokens.alpha()) }));
        expectKeyRefused(answer, 'API_KEY_MISSING');
        expect(ran).toEqual([]);
        const wrong = await call(`${url}/authors/a1?key=bad-key-999`, { method: 'DELETE', headers: bearer(tokens.alpha()) });
        expectKeyRefused(wrong, 'API_KEY_INVALID', 'bad-key-999');
      });

      it('passes a good token and the right key, with the user’s claims reaching the handler', async () => {
        const { answer, ran } = await traced(() =>
          call(`${url}/authors/a1?key=${GOOD_KEY}`, { method: 'DELETE', headers: bearer(tokens.alpha()) }),
        );
        expect({ status: answer.status, body: answer.body }).toEqual({
          status: 200,
          body: { handler: 'remove-author', iss: issuers.alpha.issuer, sub: 'user-1' },
        });
        expect(ran).toEqual(['remove-author']);
      });
    });

    describe('an apiKey among the alternatives ([{beta: []}, {api_key: []}])', () => {
      it('still needs the beta token, and the key besides: the apiKey alternative is not a way around the token', async () => {
        expectRejected(await call(`${url}/books/either?key=${GOOD_KEY}`), 'Jwt is missing', 'MISSING_TOKEN');
        expectKeyRefused(await call(`${url}/books/either`, { headers: bearer(tokens.beta()) }), 'API_KEY_MISSING');
        expectRejected(
          await call(`${url}/books/either?key=${GOOD_KEY}`, { headers: bearer(tokens.alpha()) }),
          'Jwt issuer is not configured',
          'UNKNOWN_ISSUER',
        );
        const ok = await call(`${url}/books/either?key=${GOOD_KEY}`, { headers: bearer(tokens.beta()) });
        expect({ status: ok.status, body: ok.body }).toEqual({ status: 200, body: { handler: 'either', iss: issuers.beta.issuer, sub: 'user-1' } });
      });
    });

    describe('the API-level security ([{alpha: [], api_key: []}])', () => {
      it.each([
        ['a route the spec does not list (GET /shelves)', '/shelves', 'shelves'],
        ['an operation without security of its own (GET /books/inherited)', '/books/inherited', 'inherited'],
      ])('applies to %s: a token and a key', async (_label, path, handler) => {
        expectRejected(await call(`${url}${path}?key=${GOOD_KEY}`), 'Jwt is missing', 'MISSING_TOKEN');
        expectKeyRefused(await call(`${url}${path}`, { headers: bearer(tokens.alpha()) }), 'API_KEY_MISSING');
        const ok = await call(`${url}${path}?key=${GOOD_KEY}`, { headers: bearer(tokens.alpha()) });
        expect({ status: ok.status, body: ok.body }).toEqual({ status: 200, body: { handler, iss: issuers.alpha.issuer, sub: 'user-1' } });
      });

      it('does not apply to security: [] (no token, no key), and the validator is not asked', async () => {
        const calls = await asked(async () => {
          const answer = await call(`${url}/books/public`);
          expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { handler: 'public', iss: null, sub: null } });
        });
        expect(calls).toEqual([]);
      });
    });

    it('lets a decorator win over the spec, as everywhere: @Secured("alpha") needs no key', async () => {
      const answer = await call(`${url}/books/decorated`, { headers: bearer(tokens.alpha()) });
      expect({ status: answer.status, iss: answer.body?.iss }).toEqual({ status: 200, iss: issuers.alpha.issuer });
    });

    it('never treats a validator that throws as a pass: the app’s error (500), and the handler does not run', async () => {
      const { answer, ran } = await traced(() => call(`${url}/books/open?key=explode`));
      expect(answer.status).toBe(500);
      expect(answer.body?.errorCode).toBeUndefined();
      expect(ran).toEqual([]);
    });

    it('passes only `true`: a validator returning a truthy non-boolean refuses the key (API_KEY_INVALID)', async () => {
      const { answer, ran } = await traced(() => call(`${url}/books/open?key=truthy`));
      expectKeyRefused(answer, 'API_KEY_INVALID', 'truthy');
      expect(ran).toEqual([]);
    });
  });

  describe("apiKeys: 'unchecked'", () => {
    const apps = new Apps();
    let issuers: Issuers;
    let tokens: ReturnType<typeof tokensOf>;
    let url: string;
    const logger = new CapturingLogger();

    withIssuers(apps, async (started, made) => {
      issuers = started;
      tokens = made;
      const module = EndpointsAuthModule.forRoot({ spec: apiKeySpec(started), apiKeys: 'unchecked' });
      ({ url } = apps.track(await startWith({ imports: [module], controllers: CONTROLLERS }, adapter, logger)));
    });

    it('logs one warning at start-up that lists every operation whose key is left unchecked', () => {
      const warnings = logger.messages('warn').filter((line) => line.includes('API keys are not checked'));
      expect(warnings).toHaveLength(1);
      const [warning] = warnings;
      expect(warning).toMatch(/^API keys are not checked \(apiKeys: 'unchecked'\) on /);
      for (const operation of [
        'GET /books/open',
        'GET /books/header',
        'GET /books/defaults',
        'GET /books/either',
        'GET /books/inherited',
        'GET /books/decorated',
        'DELETE /authors/{author}',
        'every route the spec does not list (the API-level security)',
      ]) {
        expect(warning).toContain(operation);
      }
      expect(warning).not.toContain('/books/public');
    });

    it('leaves a key-only operation open: no key, no token, 200', async () => {
      const { answer, ran } = await traced(() => call(`${url}/books/open`));
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { handler: 'open', iss: null, sub: null } });
      expect(ran).toEqual(['open']);
    });

    it('still checks the token where one is required: no token is MISSING_TOKEN, a good one passes without a key', async () => {
      expectRejected(await call(`${url}/authors/a1`, { method: 'DELETE' }), 'Jwt is missing', 'MISSING_TOKEN');
      const ok = await call(`${url}/authors/a1`, { method: 'DELETE', headers: bearer(tokens.alpha()) });
      expect({ status: ok.status, body: ok.body }).toEqual({ status: 200, body: { handler: 'remove-author', iss: issuers.alpha.issuer, sub: 'user-1' } });
      const shelves = await call(`${url}/shelves`, { headers: bearer(tokens.alpha()) });
      expect(shelves.status).toBe(200);
    });
  });
});
