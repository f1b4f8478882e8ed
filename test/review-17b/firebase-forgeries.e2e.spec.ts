/**
 * Forgeries against a Firebase-profile definition, each refused on both adapters: HS256 keyed with the RSA public key
 * (in its PEM and JWK forms), `alg: none` with and without a signature, a look-alike project's issuer (`proj-ab` for
 * `proj-a`), and an `aud` list holding only the project.
 */
import { Module } from '@nestjs/common';
import { createHmac, createPublicKey } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EndpointsAuthModule } from '../../lib/index.js';
import { ADAPTERS, Apps, bearer, call, startApp } from '../support/app.js';
import { ClaimsController, type FirebaseKeys, PROJECT, firebaseClaims, firebaseSpec, firebaseToken, startFirebaseKeys } from '../firebase/firebase-kit.js';

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

function hs256(secret: string | Buffer, kid: string, payload = firebaseClaims()): string {
  const input = `${b64({ alg: 'HS256', kid, typ: 'JWT' })}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

describe.each(ADAPTERS)('forged tokens against the Firebase profile on %s', (adapter) => {
  const apps = new Apps();
  let keys: FirebaseKeys;
  let url: string;
  beforeAll(async () => {
    keys = await startFirebaseKeys();
    @Module({
      imports: [EndpointsAuthModule.forRoot({ spec: firebaseSpec(keys), definitions: { firebase: { firebase: true } } })],
      controllers: [ClaimsController],
    })
    class AppModule {}
    ({ url } = apps.track(await startApp(AppModule, adapter)));
  });
  afterAll(async () => {
    await apps.closeAll();
    await keys?.server.stop();
  });

  it('refuses every forgery, and passes the genuine token', async () => {
    const publicKey = createPublicKey(keys.rsa.privateKey);
    const pem = publicKey.export({ type: 'spki', format: 'pem' }) as string;
    const none = `${b64({ alg: 'none', kid: keys.rsa.kid })}.${b64(firebaseClaims())}`;
    const forgeries = {
      'HS256 keyed with the PEM': hs256(pem, keys.rsa.kid),
      'HS256 keyed with the JWK n': hs256(String(keys.rsa.jwk['n']), keys.rsa.kid),
      'alg none, empty signature': `${none}.`,
      'alg none, the real signature': `${none}.${firebaseToken(keys).split('.')[2]}`,
      'a look-alike project issuer': firebaseToken(keys, { iss: `https://securetoken.google.com/${PROJECT}b` }),
      'aud as a one-element list': firebaseToken(keys, { aud: [PROJECT] }),
    };
    const answers: Record<string, number> = {};
    for (const [name, token] of Object.entries(forgeries)) answers[name] = (await call(`${url}/me`, { headers: bearer(token) })).status;
    expect(answers).toEqual(Object.fromEntries(Object.keys(forgeries).map((name) => [name, name.startsWith('aud') ? 403 : 401])));
    expect((await call(`${url}/me`, { headers: bearer(firebaseToken(keys)) })).status).toBe(200);
  });
});
