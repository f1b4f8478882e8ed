/**
 * Which requirement a route gets: handler ▸ controller ▸ spec operation ▸ spec API level (DESIGN "How a request
 * flows"); all four class × method combinations of @Secured/@Public, and decorators winning over the spec.
 */
import { Controller, Get } from '@nestjs/common';
import { describe, it } from 'vitest';
import { Public, Secured, UserInfo } from '../../lib/index.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';
import { ADAPTERS, type AdapterName } from '../support/app.js';
import { Apps, boot, requirementChecks, tokensOf, withIssuers } from './requirements-kit.js';

@Public()
@Controller('public-class')
class PublicClassController {
  @Secured('alpha')
  @Get('secured-method')
  secured(@UserInfo('iss') iss?: string) {
    return { iss: iss ?? null };
  }

  @Public()
  @Get('public-method')
  open(@UserInfo('iss') iss?: string) {
    return { iss: iss ?? null };
  }

  @Get('plain')
  plain(@UserInfo('iss') iss?: string) {
    return { iss: iss ?? null };
  }
}

@Secured('alpha')
@Controller('secured-class')
class SecuredClassController {
  @Public()
  @Get('public-method')
  open(@UserInfo('iss') iss?: string) {
    return { iss: iss ?? null };
  }

  @Secured('beta')
  @Get('secured-method')
  secured(@UserInfo('iss') iss?: string) {
    return { iss: iss ?? null };
  }

  @Get('plain')
  plain(@UserInfo('iss') iss?: string) {
    return { iss: iss ?? null };
  }
}

/** Undecorated class; each handler's decorator contradicts the spec operation of the same route. */
@Controller('handler-over-spec')
class HandlerOverSpecController {
  @Public()
  @Get('public/:id')
  open(@UserInfo('iss') iss?: string) {
    return { iss: iss ?? null };
  }

  @Secured('beta')
  @Get('beta/:id')
  beta(@UserInfo('iss') iss?: string) {
    return { iss: iss ?? null };
  }

  @Secured('alpha')
  @Get('open-in-spec/:id')
  secured(@UserInfo('iss') iss?: string) {
    return { iss: iss ?? null };
  }
}

@Secured('beta')
@Controller('class-over-spec')
class ClassOverSpecController {
  @Get(':id')
  get(@UserInfo('iss') iss?: string) {
    return { iss: iss ?? null };
  }
}

@Public()
@Controller('public-class-over-spec')
class PublicClassOverSpecController {
  @Get(':id')
  get(@UserInfo('iss') iss?: string) {
    return { iss: iss ?? null };
  }
}

describe.each(ADAPTERS)('requirement precedence on %s', (adapter: AdapterName) => {
  let issuers: Issuers;
  let tokens: ReturnType<typeof tokensOf>;
  let url: string;
  const apps = new Apps();

  withIssuers(apps, async (started, made) => {
    issuers = started;
    tokens = made;
    // The API level requires beta; every operation listed here requires alpha, or nothing.
    const spec = openApi2(issuers, {
      security: [{ beta: [] }],
      paths: {
        '/handler-over-spec/public/{id}': { get: { security: [{ alpha: [] }] } },
        '/handler-over-spec/beta/{id}': { get: { security: [{ alpha: [] }] } },
        '/handler-over-spec/open-in-spec/{id}': { get: { security: [] } },
        '/class-over-spec/{id}': { get: { security: [{ alpha: [] }] } },
        '/public-class-over-spec/{id}': { get: { security: [{ alpha: [] }] } },
      },
    });
    const controllers = [
      PublicClassController,
      SecuredClassController,
      HandlerOverSpecController,
      ClassOverSpecController,
      PublicClassOverSpecController,
    ];
    ({ url } = apps.track(await boot(adapter, { spec }, controllers)));
  });

  const expectRequires = (path: string, name: 'alpha' | 'beta') => requirementChecks(issuers, tokens).requires(`${url}${path}`, name);
  const expectPublic = (path: string) => requirementChecks(issuers, tokens).open(`${url}${path}`);

  describe('class × method', () => {
    it('class @Public + method @Secured("alpha") → secured by alpha', async () => {
      await expectRequires('/public-class/secured-method', 'alpha');
    });

    it('class @Public + method @Public → public', async () => {
      await expectPublic('/public-class/public-method');
    });

    it('class @Secured("alpha") + method @Public → public', async () => {
      await expectPublic('/secured-class/public-method');
    });

    it('class @Secured("alpha") + method @Secured("beta") → beta only: the handler replaces, never merges', async () => {
      await expectRequires('/secured-class/secured-method', 'beta');
    });

    it('class @Secured("alpha") + undecorated method → alpha, not the API-level beta', async () => {
      await expectRequires('/secured-class/plain', 'alpha');
    });

    it('class @Public + undecorated method → public, though the API level requires beta', async () => {
      await expectPublic('/public-class/plain');
    });
  });

  describe('decorators win over the spec', () => {
    it('method @Public over an operation requiring alpha', async () => {
      await expectPublic('/handler-over-spec/public/1');
    });

    it('method @Secured("beta") over an operation requiring alpha', async () => {
      await expectRequires('/handler-over-spec/beta/1', 'beta');
    });

    it('method @Secured("alpha") over an operation with security: []', async () => {
      await expectRequires('/handler-over-spec/open-in-spec/1', 'alpha');
    });

    it('class @Secured("beta") over the operation (requiring alpha) of an undecorated method', async () => {
      await expectRequires('/class-over-spec/1', 'beta');
    });

    it('class @Public over the operation (requiring alpha) of an undecorated method', async () => {
      await expectPublic('/public-class-over-spec/1');
    });
  });
});
