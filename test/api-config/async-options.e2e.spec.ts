import { Controller, type DynamicModule, Get, Injectable, Module, UseGuards } from '@nestjs/common';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EndpointsAuthGuard,
  EndpointsAuthModule,
  type EndpointsAuthModuleAsyncOptions,
  type EndpointsAuthOptions,
  type JwtClaims,
  Secured,
  SpecError,
  UserInfo,
} from '../../lib/index.js';
import { type Issuers, openApi2, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, type AdapterName, Apps, bearer, call } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { startWith, startupError } from './spec-kit.js';

/** What a configuration module would hold: the spec document, built once the key server is up. */
class SpecConfig {
  constructor(readonly document: object) {}
}

@Module({})
class SpecConfigModule {
  static with(document: object): DynamicModule {
    return { module: SpecConfigModule, providers: [{ provide: SpecConfig, useValue: new SpecConfig(document) }], exports: [SpecConfig] };
  }
}

/** An options factory class, as `useClass` / `useExisting` expect: it implements `createEndpointsAuthOptions()`. */
@Injectable()
class EndpointsAuthConfig {
  calls = 0;
  constructor(private readonly config: SpecConfig) {}

  createEndpointsAuthOptions(): EndpointsAuthOptions {
    this.calls++;
    return { spec: this.config.document, clockSkewSeconds: 30 };
  }
}

@Module({})
class EndpointsAuthConfigModule {
  static with(document: object): DynamicModule {
    return {
      module: EndpointsAuthConfigModule,
      imports: [SpecConfigModule.with(document)],
      providers: [EndpointsAuthConfig],
      exports: [EndpointsAuthConfig],
    };
  }
}

/** No decorators: the spec's top-level `security` decides, when a guard runs at all. */
@Controller('books')
class BooksController {
  @Get()
  list(@UserInfo() user: JwtClaims | undefined) {
    return { sub: user?.sub ?? null };
  }
}

/** Names a definition but applies no guard itself. */
@Secured('alpha')
@Controller('unguarded')
class UnguardedController {
  @Get()
  get(@UserInfo() user: JwtClaims | undefined) {
    return { sub: user?.sub ?? null };
  }
}

/** Applies the guard at controller level; the spec's `security` is the requirement. */
@UseGuards(EndpointsAuthGuard)
@Controller('guarded')
class GuardedController {
  @Get()
  get(@UserInfo() user: JwtClaims | undefined) {
    return { sub: user?.sub ?? null };
  }
}

/** Applies the guard on one handler only, with its own requirement. */
@Controller('mixed')
class MixedController {
  @Get('open')
  open() {
    return { sub: null };
  }

  @UseGuards(EndpointsAuthGuard)
  @Secured('beta')
  @Get('beta')
  beta(@UserInfo('sub') sub: string) {
    return { sub };
  }
}

describe.each(ADAPTERS)('EndpointsAuthModule.forRootAsync and globalGuard on %s', (adapter: AdapterName) => {
  let issuers: Issuers;
  const apps = new Apps();

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterEach(() => apps.closeAll());
  afterAll(async () => {
    await apps.closeAll();
    await issuers?.server.stop();
  });

  const spec = () => openApi2(issuers, { security: [{ alpha: [] }] });
  const alphaToken = () => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));
  const betaToken = () => signJwt(issuers.beta.key, claims(issuers.beta.issuer, `https://${issuers.service}`));

  async function bootAsync(options: EndpointsAuthModuleAsyncOptions, controllers: (new (...args: never[]) => unknown)[] = [BooksController]) {
    return apps.track(await startWith({ imports: [EndpointsAuthModule.forRootAsync(options)], controllers }, adapter));
  }

  async function expectGuarded(url: string) {
    const ok = await call(url, { headers: bearer(alphaToken()) });
    expect(ok.status).toBe(200);
    expect(ok.body).toEqual({ sub: 'user-1' });
    const missing = await call(url);
    expect(missing.status).toBe(401);
    expect(missing.body).toMatchObject({ message: 'Jwt is missing', errorCode: 'MISSING_TOKEN' });
  }

  async function expectOpen(url: string) {
    const response = await call(url);
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ sub: null });
  }

  it('builds the options with useFactory, inject and imports, and guards the spec’s routes', async () => {
    let factoryCalls = 0;
    const { url } = await bootAsync({
      imports: [SpecConfigModule.with(spec())],
      inject: [SpecConfig],
      useFactory: async (config: SpecConfig) => {
        factoryCalls++;
        return { spec: config.document };
      },
    });
    expect(factoryCalls).toBe(1);
    await expectGuarded(`${url}/books`);
  });

  it('builds the options with useClass, whose own dependencies come from imports', async () => {
    const { url } = await bootAsync({ imports: [SpecConfigModule.with(spec())], useClass: EndpointsAuthConfig });
    await expectGuarded(`${url}/books`);
  });

  it('builds the options with useExisting, calling the imported provider instance once', async () => {
    const { app, url } = await bootAsync({ imports: [EndpointsAuthConfigModule.with(spec())], useExisting: EndpointsAuthConfig });
    expect(app.get(EndpointsAuthConfig, { strict: false }).calls).toBe(1);
    await expectGuarded(`${url}/books`);
  });

  it('fails start-up with the spec error when the factory’s options are wrong', async () => {
    const error = await startupError({
      imports: [EndpointsAuthModule.forRootAsync({ useFactory: () => ({ spec: { swagger: '2.0', paths: {} } }) })],
    });
    expect(error).toBeInstanceOf(SpecError);
    expect(error.message).toBe(
      'nestjs-endpoints-auth: spec object: no security definitions (securityDefinitions or components.securitySchemes)',
    );
  });

  it('fails start-up when a useClass factory returns an option that cannot work', async () => {
    @Injectable()
    class NegativeSkew {
      createEndpointsAuthOptions(): EndpointsAuthOptions {
        return { spec: spec(), clockSkewSeconds: -1 };
      }
    }
    const error = await startupError({ imports: [EndpointsAuthModule.forRootAsync({ useClass: NegativeSkew })] });
    expect(error).toBeInstanceOf(SpecError);
    expect(error.message).toContain('"clockSkewSeconds" must be a number from 0 to 3600');
  });

  describe('with globalGuard: false', () => {
    const unguarded = [BooksController, UnguardedController];
    const guarded = [GuardedController, MixedController];

    it('leaves routes open, even ones the spec’s security or @Secured() protects, when no guard is applied', async () => {
      const { url } = apps.track(
        await startWith({ imports: [EndpointsAuthModule.forRoot({ spec: spec(), globalGuard: false })], controllers: unguarded }, adapter),
      );
      await expectOpen(`${url}/books`);
      await expectOpen(`${url}/unguarded`);
    });

    it('leaves routes open with forRootAsync({ globalGuard: false }) as well', async () => {
      const { url } = await bootAsync({ globalGuard: false, useFactory: () => ({ spec: spec() }) }, unguarded);
      await expectOpen(`${url}/books`);
      await expectOpen(`${url}/unguarded`);
    });

    // Nest instantiates a @UseGuards() class in the module of the controller that uses it, so the module must export
    // the guard's own dependencies.
    it('protects exactly the routes that apply @UseGuards(EndpointsAuthGuard), at controller or handler level', async () => {
      const { url } = apps.track(
        await startWith(
          { imports: [EndpointsAuthModule.forRoot({ spec: spec(), globalGuard: false })], controllers: [...unguarded, ...guarded] },
          adapter,
        ),
      );
      await expectOpen(`${url}/books`);
      await expectOpen(`${url}/unguarded`);
      await expectOpen(`${url}/mixed/open`);
      await expectGuarded(`${url}/guarded`);
      const beta = await call(`${url}/mixed/beta`, { headers: bearer(betaToken()) });
      expect(beta.status).toBe(200);
      expect(beta.body).toEqual({ sub: 'user-1' });
      expect((await call(`${url}/mixed/beta`)).status).toBe(401);
      // The handler's @Secured('beta') wins over the spec's alpha requirement.
      expect((await call(`${url}/mixed/beta`, { headers: bearer(alphaToken()) })).status).toBe(401);
    });

    it('protects a route that applies @UseGuards(EndpointsAuthGuard) with forRootAsync as well', async () => {
      const { url } = await bootAsync({ globalGuard: false, useFactory: () => ({ spec: spec() }) }, [BooksController, GuardedController]);
      await expectOpen(`${url}/books`);
      await expectGuarded(`${url}/guarded`);
    });
  });

  describe('with the global guard (the default)', () => {
    it('guards every route the spec or @Secured() protects, without @UseGuards()', async () => {
      const { url } = await bootAsync({ useFactory: () => ({ spec: spec() }) }, [BooksController, UnguardedController]);
      await expectGuarded(`${url}/books`);
      await expectGuarded(`${url}/unguarded`);
    });

    it('still starts and guards when a controller also applies @UseGuards(EndpointsAuthGuard)', async () => {
      const { url } = await bootAsync({ useFactory: () => ({ spec: spec() }) }, [BooksController, GuardedController]);
      await expectGuarded(`${url}/books`);
      await expectGuarded(`${url}/guarded`);
    });
  });
});
