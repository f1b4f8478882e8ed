/**
 * When the library's guard strips `X-Endpoint-API-UserInfo` alone and when a middleware must (lib/user-info/
 * guard-runs-first.util.ts): the middleware costs about 10 µs a request, so it is only added when another guard may
 * read the header first.
 */
import { type CanActivate, Injectable, Module, Scope } from '@nestjs/common';
import { APP_GUARD, ModulesContainer } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { EndpointsAuthGuard, EndpointsAuthModule } from '../../lib/index.js';
import { guardRunsFirst } from '../../lib/user-info/guard-runs-first.util.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';

const issuers = {
  alpha: { issuer: 'https://alpha.example.com', jwksUri: 'http://127.0.0.1:9/alpha' },
  beta: { issuer: 'beta@project.iam.gserviceaccount.com', jwksUri: 'http://127.0.0.1:9/beta' },
  service: 'svc.example.com',
} as unknown as Issuers;

@Injectable()
class OtherGuard implements CanActivate {
  canActivate() {
    return true;
  }
}

@Injectable({ scope: Scope.REQUEST })
class RequestScopedGuard implements CanActivate {
  canActivate() {
    return true;
  }
}

async function runsFirst(options: { globalGuard?: boolean }, providers: object[] = []): Promise<boolean> {
  @Module({ imports: [EndpointsAuthModule.forRoot({ spec: openApi2(issuers), ...options })], providers: providers as never[] })
  class AppModule {}
  const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
  try {
    return guardRunsFirst(moduleRef.get(ModulesContainer));
  } finally {
    await moduleRef.close();
  }
}

describe('guardRunsFirst', () => {
  it('is true when the library’s guard is the only APP_GUARD (the guard strips the header)', async () => {
    expect(await runsFirst({})).toBe(true);
  });

  it('is false when the app registers another APP_GUARD, singleton or request-scoped', async () => {
    expect(await runsFirst({}, [{ provide: APP_GUARD, useClass: OtherGuard }])).toBe(false);
    expect(await runsFirst({}, [{ provide: APP_GUARD, useClass: RequestScopedGuard }])).toBe(false);
  });

  it('is false with globalGuard: false (routes without the guard must be stripped too)', async () => {
    expect(await runsFirst({ globalGuard: false })).toBe(false);
  });

  it('counts a subclass of the library’s guard registered as the APP_GUARD as the library’s', async () => {
    @Injectable()
    class OwnGuard extends EndpointsAuthGuard {}
    expect(await runsFirst({ globalGuard: false }, [OwnGuard, { provide: APP_GUARD, useExisting: OwnGuard }])).toBe(true);
  });
});
