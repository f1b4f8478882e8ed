/**
 * Strategies belong to their module instance (DESIGN): two Nest apps alive in one process with the same definition
 * names never verify with each other's keys or issuers, and `AuthGuard(name)` from @nestjs/passport refuses while two
 * live apps hold the name instead of serving one app with the other's keys.
 */
import { Controller, Get, Req, UseGuards } from '@nestjs/common';
import { AuthGuard } from '@nestjs/passport';
import passport from 'passport';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthGuard, type JwtClaims, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { type Answer, Apps, boot, expectRejected, expectUnknownIssuer } from './requirements-kit.js';

@Secured('alpha')
@Controller('books')
class BooksController {
  @Get()
  get(@UserInfo('iss') iss: string, @UserInfo('app') app: string) {
    return { iss, app };
  }
}

/** For apps started with `globalGuard: false`: the user's own passport guard, and the library's guard used explicitly. */
@Controller('passport')
class PassportController {
  @UseGuards(AuthGuard('alpha'))
  @Get()
  viaPassport(@Req() request: { user?: JwtClaims }) {
    return { iss: request.user?.iss ?? null, app: request.user?.['app'] ?? null };
  }

  @UseGuards(EndpointsAuthGuard)
  @Secured('alpha')
  @Get('own')
  viaLibrary(@UserInfo('app') app: string) {
    return { app };
  }
}

/** The fixture spec for `issuers`, optionally with alpha's issuer renamed (same definition name, other issuer). */
function specFor(issuers: Issuers, alphaIssuer = issuers.alpha.issuer) {
  const spec = openApi2(issuers);
  const alpha = { ...spec.securityDefinitions.alpha, 'x-google-issuer': alphaIssuer };
  return { ...spec, securityDefinitions: { ...spec.securityDefinitions, alpha } };
}

/** An alpha token of `issuers`, naming `issuer`, with an `app` claim to tell the apps' tokens apart. */
const alphaToken = (issuers: Issuers, app: string, issuer = issuers.alpha.issuer) =>
  signJwt(issuers.alpha.key, claims(issuer, 'alpha-audience', { app }));

const expectServed = (answer: Answer, app: string) => {
  expect({ status: answer.status, app: answer.body?.app }).toEqual({ status: 200, app });
};

describe.each(ADAPTERS)('two apps in one process on %s', (adapter: AdapterName) => {
  // Both key servers publish a key with kid "alpha-1" and the fixtures name the same issuers: only the keys differ.
  let one: Issuers;
  let two: Issuers;
  const apps = new Apps();

  beforeAll(async () => {
    [one, two] = await Promise.all([startIssuers(), startIssuers()]);
  });
  afterEach(() => apps.closeAll());
  afterAll(async () => {
    await apps.closeAll();
    await Promise.all([one?.server.stop(), two?.server.stop()]);
  });

  it('same definition names and issuers, different keys: each app accepts only tokens signed with its own keys', async () => {
    const a = apps.track(await boot(adapter, { spec: specFor(one) }, [BooksController]));
    const b = apps.track(await boot(adapter, { spec: specFor(two) }, [BooksController]));
    // Interleaved and concurrent, so a shared strategy or key cache would show.
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) => [
        call(`${a.url}/books`, { headers: bearer(alphaToken(one, `one-${i}`)) }),
        call(`${b.url}/books`, { headers: bearer(alphaToken(two, `two-${i}`)) }),
        call(`${a.url}/books`, { headers: bearer(alphaToken(two, `two-${i}`)) }),
        call(`${b.url}/books`, { headers: bearer(alphaToken(one, `one-${i}`)) }),
      ]).flat(),
    );
    answers.forEach((answer, index) => {
      const i = Math.floor(index / 4);
      const kind = index % 4;
      if (kind === 0) expectServed(answer, `one-${i}`);
      else if (kind === 1) expectServed(answer, `two-${i}`);
      else expectRejected(answer, 'Jwt verification fails', 'INVALID_TOKEN');
    });
    // Each app fetched from its own key server (both serve the path /alpha/jwks).
    expect(one.server.count('/alpha/jwks')).toBeGreaterThanOrEqual(1);
    expect(two.server.count('/alpha/jwks')).toBeGreaterThanOrEqual(1);
  });

  it('same definition names, different issuers: each app accepts only its own issuer', async () => {
    const otherIssuer = 'https://alpha-two.example.com';
    const a = apps.track(await boot(adapter, { spec: specFor(one) }, [BooksController]));
    const b = apps.track(await boot(adapter, { spec: specFor(two, otherIssuer) }, [BooksController]));
    expectServed(await call(`${a.url}/books`, { headers: bearer(alphaToken(one, 'one')) }), 'one');
    expectServed(await call(`${b.url}/books`, { headers: bearer(alphaToken(two, 'two', otherIssuer)) }), 'two');
    expectUnknownIssuer(await call(`${a.url}/books`, { headers: bearer(alphaToken(two, 'two', otherIssuer)) }));
    expectUnknownIssuer(await call(`${b.url}/books`, { headers: bearer(alphaToken(one, 'one')) }));
  });

  it('closing one app leaves the other verifying with its own keys', async () => {
    const a = apps.track(await boot(adapter, { spec: specFor(one) }, [BooksController]));
    const b = apps.track(await boot(adapter, { spec: specFor(two) }, [BooksController]));
    await b.app.close();
    expectServed(await call(`${a.url}/books`, { headers: bearer(alphaToken(one, 'one')) }), 'one');
    expectRejected(
      await call(`${a.url}/books`, { headers: bearer(alphaToken(two, 'two')) }),
      'Jwt verification fails',
      'INVALID_TOKEN',
    );
  });

  describe('AuthGuard("alpha") from @nestjs/passport, with globalGuard: false', () => {
    const start = async (issuers: Issuers) =>
      apps.track(await boot(adapter, { spec: specFor(issuers), globalGuard: false }, [PassportController]));

    /** The passport route refuses `token` with a 401, like any refused token, and no claims leak into the answer. */
    const expectRefused = (answer: Answer) => {
      expect(answer.status).toBe(401);
      expect(JSON.stringify(answer.body)).not.toContain('alpha.example.com');
    };

    it('works when one app is alive: its own token passes, a missing or foreign-key token is 401', async () => {
      const a = await start(one);
      const ok = await call(`${a.url}/passport`, { headers: bearer(alphaToken(one, 'one')) });
      expect({ status: ok.status, body: ok.body }).toEqual({ status: 200, body: { iss: one.alpha.issuer, app: 'one' } });
      expect((await call(`${a.url}/passport`)).status).toBe(401);
      expect((await call(`${a.url}/passport`, { headers: bearer(alphaToken(two, 'two')) })).status).toBe(401);
    });

    it('refuses while two apps with the same name are alive, for either app\'s own tokens', async () => {
      const a = await start(one);
      const b = await start(two);
      const answers = await Promise.all([
        call(`${a.url}/passport`, { headers: bearer(alphaToken(one, 'one')) }),
        call(`${b.url}/passport`, { headers: bearer(alphaToken(two, 'two')) }),
        call(`${a.url}/passport`, { headers: bearer(alphaToken(two, 'two')) }),
        call(`${b.url}/passport`, { headers: bearer(alphaToken(one, 'one')) }),
      ]);
      answers.forEach(expectRefused);
    });

    it('meanwhile EndpointsAuthGuard, used explicitly, still verifies each app with its own strategy', async () => {
      const a = await start(one);
      const b = await start(two);
      expectServed(await call(`${a.url}/passport/own`, { headers: bearer(alphaToken(one, 'one')) }), 'one');
      expectServed(await call(`${b.url}/passport/own`, { headers: bearer(alphaToken(two, 'two')) }), 'two');
      expectRejected(
        await call(`${a.url}/passport/own`, { headers: bearer(alphaToken(two, 'two')) }),
        'Jwt verification fails',
        'INVALID_TOKEN',
      );
    });

    it('leaves a strategy the user registered under the same name alone, and does not remove it on close', async () => {
      class UsersOwn extends passport.Strategy {
        authenticate(this: { success(user: object): void }) {
          this.success({ iss: 'users-own', app: 'mine' });
        }
      }
      passport.use('alpha', new UsersOwn());
      try {
        const a = await start(one);
        const answer = await call(`${a.url}/passport`);
        expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { iss: 'users-own', app: 'mine' } });
        await a.app.close();
        expect((passport as unknown as { _strategy(name: string): unknown })._strategy('alpha')).toBeInstanceOf(UsersOwn);
      } finally {
        passport.unuse('alpha');
      }
    });

    it('serves the remaining app again once the other closes', async () => {
      const a = await start(one);
      // Closed apps stay tracked: closing twice is harmless, and a failed assertion still closes everything.
      let b = await start(two);
      expectRefused(await call(`${a.url}/passport`, { headers: bearer(alphaToken(one, 'one')) }));
      await b.app.close();
      expectServed(await call(`${a.url}/passport`, { headers: bearer(alphaToken(one, 'one')) }), 'one');
      expect((await call(`${a.url}/passport`, { headers: bearer(alphaToken(two, 'two')) })).status).toBe(401);

      // And the other way round: the app started later keeps the name when the first one closes.
      b = await start(two);
      expectRefused(await call(`${b.url}/passport`, { headers: bearer(alphaToken(two, 'two')) }));
      await a.app.close();
      expectServed(await call(`${b.url}/passport`, { headers: bearer(alphaToken(two, 'two')) }), 'two');
      expect((await call(`${b.url}/passport`, { headers: bearer(alphaToken(one, 'one')) })).status).toBe(401);
    });
  });
});
