/**
 * A long-claims token, about the size of ESPv2's own long-claims test token (11,493 bytes): google-auth-library
 * signs it with many `groups`, Node's HTTP parser takes the header (its default limit is 16 KiB for the whole head)
 * on both adapters, and the library accepts it with its default options.
 */
import { JWT } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterName, Apps, call, startApp } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import {
  SERVICE_URL,
  authorizationOf,
  calleeModule,
  certificateMap,
  decodeJwt,
  makeAccount,
  openApi,
  outcome,
  serviceAccountDefinition,
  tokenOf,
  x509Path,
} from './interop-kit.js';

/** ESPv2's long-claims token is 11,493 bytes; this one lands within 100 bytes of it. */
const TARGET_BYTES = 11_493;
const account = makeAccount('long-claims@test-project.iam.gserviceaccount.com');
const keys = new KeyServer();
let authorization = '';

/** google-auth's `Authorization` value for the service, its token carrying `count` group names. */
async function withGroups(count: number): Promise<string> {
  const groups = Array.from({ length: count }, (_, i) => `group-${String(i).padStart(4, '0')}@test-project.example.com`);
  // A new client each time: google-auth caches a token per URL whatever its additional claims.
  const client = new JWT({ email: account.email, key: account.keyFile.private_key, keyId: account.keyId, additionalClaims: { groups } });
  return authorizationOf(await client.getRequestHeaders(SERVICE_URL));
}

beforeAll(async () => {
  await keys.start();
  keys.set(x509Path(account.email), { body: certificateMap(account) });
  // Every group adds the same number of bytes (base64 rounds per 3): measure 90 of them, then size the list.
  const [ten, hundred] = [tokenOf(await withGroups(10)).length, tokenOf(await withGroups(100)).length];
  authorization = await withGroups(10 + Math.round(((TARGET_BYTES - ten) * 90) / (hundred - ten)));
});
afterAll(() => keys.stop());

describe.each(ADAPTERS)('a long-claims token from google-auth on %s', (adapter: AdapterName) => {
  const apps = new Apps();
  const spec = () => openApi({ service_account: serviceAccountDefinition(account, keys.url) });
  let defaults = '';
  let tight = '';

  beforeAll(async () => {
    ({ url: defaults } = apps.track(await startApp(calleeModule({ spec: spec() }, 'service_account'), adapter)));
    ({ url: tight } = apps.track(await startApp(calleeModule({ spec: spec(), maxTokenBytes: 11_000 }, 'service_account'), adapter)));
  });
  afterAll(() => apps.closeAll());

  it('is about ESPv2\'s size and google-auth\'s own: RS256, the account, aud https://SERVICE/', () => {
    const token = tokenOf(authorization);
    expect(Math.abs(token.length - TARGET_BYTES)).toBeLessThanOrEqual(100);
    const { header, payload } = decodeJwt(token);
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: account.keyId });
    expect({ iss: payload.iss, aud: payload.aud, groups: payload.groups.length > 200 }).toEqual({ iss: account.email, aud: SERVICE_URL, groups: true });
  });

  it('reaches the app: Node takes the header whole (under its 16 KiB head limit)', async () => {
    const answer = await call(`${defaults}/echo`, { headers: { authorization } });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { authorizationBytes: Buffer.byteLength(authorization) } });
  });

  it('is accepted with the default options', async () => {
    const answer = await call(`${defaults}/whoami`, { headers: { authorization } });
    expect(outcome(answer)).toEqual({ status: 200, message: undefined, errorCode: undefined });
    expect(answer.body).toEqual({ iss: account.email, sub: account.email, aud: SERVICE_URL });
  });

  it('is refused before any decoding, with the limit named, where maxTokenBytes is below its size', async () => {
    const answer = await call(`${tight}/whoami`, { headers: { authorization } });
    expect(outcome(answer)).toEqual({ status: 401, message: 'Jwt is larger than 11000 bytes', errorCode: 'INVALID_TOKEN' });
  });
});
