/**
 * Identity Platform tenants are separate user pools: `alice` of tenant t1 and `alice` of tenant t2 are two users,
 * revoked apart. The attack: a revoked t1 user whose token has the same `iat` second as a t2 user of the same uid
 * passes on the t2 user's cached "not revoked" verdict if verdicts are kept per (`sub`, `iat`) alone. Likewise a
 * token of a session signed in before the user's tokens were revoked (an older `auth_time`, which Admin compares with
 * the revocation time) must not pass on the verdict of a sign-in after it whose token has the same `iat` second.
 */
import { Module } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule, type JwtClaims } from '../../lib/index.js';
import { ADAPTERS, Apps, bearer, call, startApp } from '../support/app.js';
import { nowSeconds } from '../support/keys.js';
import { ClaimsController, type FirebaseKeys, firebaseSpec, firebaseToken, startFirebaseKeys } from '../firebase/firebase-kit.js';

const tenantOf = (claims: JwtClaims) => (claims['firebase'] as { tenant?: string } | undefined)?.tenant;

describe.each(ADAPTERS)('revocation verdicts and tenants on %s', (adapter) => {
  const apps = new Apps();
  let keys: FirebaseKeys;
  let url: string;
  const asked: string[] = [];
  const revokedAt = nowSeconds() - 300;

  beforeAll(async () => {
    keys = await startFirebaseKeys();
    // Only t1's alice is revoked; the answer depends on the tenant, as tenantManager.authForTenant(tenant) does.
    // bob's tokens were revoked at REVOKED_AT: a session signed in before then is refused, as Admin compares auth_time.
    const checkRevoked = (claims: JwtClaims) => {
      asked.push(`${tenantOf(claims)}/${claims.sub}`);
      if (claims.sub === 'bob') return (claims['auth_time'] as number) < revokedAt;
      return tenantOf(claims) === 't1' && claims.sub === 'alice';
    };
    @Module({
      imports: [
        EndpointsAuthModule.forRoot({ spec: firebaseSpec(keys), definitions: { firebase: { firebase: { tenants: ['t1', 't2'], checkRevoked } } } }),
      ],
      controllers: [ClaimsController],
    })
    class AppModule {}
    ({ url } = apps.track(await startApp(AppModule, adapter)));
  });
  afterAll(async () => {
    await apps.closeAll();
    await keys?.server.stop();
  });

  it("never answers one tenant's user with another tenant's verdict for the same uid and iat", async () => {
    const iat = nowSeconds() - 30;
    const token = (tenant: string) =>
      firebaseToken(keys, { sub: 'alice', user_id: 'alice', iat, firebase: { tenant, sign_in_provider: 'password' } });
    expect((await call(`${url}/me`, { headers: bearer(token('t2')) })).status).toBe(200);
    const revoked = await call(`${url}/me`, { headers: bearer(token('t1')) });
    expect([revoked.status, revoked.body.errorCode]).toEqual([401, 'TOKEN_REVOKED']);
    expect(asked).toEqual(['t2/alice', 't1/alice']);
  });

  it('never answers a session signed in before a revocation with the verdict of a sign-in after it', async () => {
    const iat = nowSeconds() - 20;
    const token = (authTime: number) =>
      firebaseToken(keys, { sub: 'bob', user_id: 'bob', iat, auth_time: authTime, firebase: { tenant: 't2', sign_in_provider: 'password' } });
    expect((await call(`${url}/me`, { headers: bearer(token(revokedAt + 60)) })).status).toBe(200);
    const revoked = await call(`${url}/me`, { headers: bearer(token(revokedAt - 600)) });
    expect([revoked.status, revoked.body.errorCode]).toEqual([401, 'TOKEN_REVOKED']);
  });
});
