/**
 * google-auth-library's self-signed service-account JWTs, made exactly as its users make them, accepted by the library
 * guarding a real app: `new GoogleAuth({ keyFile }).getClient()` then `getRequestHeaders(url)` (no scopes: google-auth
 * signs the token itself with `aud` = the URL), a GAPIC client's `defaultServicePath` (the `aud` is
 * `https://SERVICE/`, whatever URL is asked for), and a `JWT` client built from the key's fields. The key file's
 * `token_uri` points at a token server on 127.0.0.1 that must never be asked: the tokens are self-signed.
 */
import { GoogleAuth, JWT } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterName, Apps, call, startApp } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { TokenServer } from '../client/token-server.js';
import {
  SERVICE,
  SERVICE_URL,
  authorizationOf,
  calleeModule,
  certificateMap,
  decodeJwt,
  makeAccount,
  openApi,
  outcome,
  pick,
  serviceAccountDefinition,
  tempDir,
  tokenOf,
  x509Path,
} from './interop-kit.js';

const account = makeAccount('interop-caller@test-project.iam.gserviceaccount.com');
const stranger = makeAccount('stranger@test-project.iam.gserviceaccount.com');
const keys = new KeyServer();
// The token endpoint of the key file: google-auth would post there only to exchange for an access token.
const tokenEndpoint = new TokenServer((_request, response) => response.writeHead(500).end('a self-signed JWT needs no exchange'));
const dir = tempDir();
let keyFile = '';
let strangerKeyFile = '';

beforeAll(async () => {
  await Promise.all([keys.start(), tokenEndpoint.start()]);
  keys.set(x509Path(account.email), { body: certificateMap(account) });
  const tokenUri = `http://${tokenEndpoint.host}/token`;
  keyFile = dir.write('key.json', JSON.stringify({ ...account.keyFile, token_uri: tokenUri }, null, 2));
  strangerKeyFile = dir.write('stranger.json', JSON.stringify({ ...stranger.keyFile, token_uri: tokenUri }, null, 2));
});
afterAll(async () => {
  await Promise.all([keys.stop(), tokenEndpoint.stop()]);
  dir.remove();
});

/** The claims the callee should hand back for a token of `account` with `aud`. */
const callerClaims = (aud: string) => ({ iss: account.email, sub: account.email, aud });

describe.each(ADAPTERS)('google-auth-library self-signed service-account JWTs on %s', (adapter: AdapterName) => {
  const apps = new Apps();
  let url = '';

  beforeAll(async () => {
    const spec = openApi({ service_account: serviceAccountDefinition(account, keys.url) });
    ({ url } = apps.track(await startApp(calleeModule({ spec }, 'service_account'), adapter)));
  });
  afterAll(() => apps.closeAll());

  it('accepts getRequestHeaders("https://SERVICE/") of new GoogleAuth({ keyFile }).getClient(), with the account as the caller', async () => {
    const client = await new GoogleAuth({ keyFile }).getClient();
    const headers = await client.getRequestHeaders(SERVICE_URL);
    const { header, payload } = decodeJwt(tokenOf(authorizationOf(headers)));
    expect(header).toEqual({ alg: 'RS256', typ: 'JWT', kid: account.keyId });
    expect(pick(payload, ['iss', 'sub', 'aud'])).toEqual(callerClaims(SERVICE_URL));
    expect(payload.exp - payload.iat).toBe(3600);

    const answer = await call(`${url}/whoami`, { headers: Object.fromEntries(headers) });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(callerClaims(SERVICE_URL));
  });

  it('accepts the same through GoogleAuth.getRequestHeaders(url), and fetch given google-auth\'s Headers object as is', async () => {
    const headers = await new GoogleAuth({ keyFile }).getRequestHeaders(SERVICE_URL);
    const response = await fetch(`${url}/whoami`, { headers });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual(callerClaims(SERVICE_URL));
  });

  it('accepts a GAPIC-style client (defaultServicePath, defaultScopes, useJWTAccessWithScope): aud is https://SERVICE/ for any URL', async () => {
    // What generated Google Cloud clients do to the GoogleAuth they are given, before getClient().
    const auth = new GoogleAuth({ keyFile });
    auth.defaultServicePath = SERVICE;
    auth.defaultScopes = ['https://www.googleapis.com/auth/cloud-platform'];
    auth.useJWTAccessWithScope = true;
    const headers = await (await auth.getClient()).getRequestHeaders(`${url}/whoami`);
    const { payload } = decodeJwt(tokenOf(authorizationOf(headers)));
    // The spec expects https://SERVICE; google-auth writes https://SERVICE/, which ESP's comparison accepts.
    expect(pick(payload, ['aud', 'scope'])).toEqual({ aud: `https://${SERVICE}/` });

    const answer = await call(`${url}/whoami`, { headers: Object.fromEntries(headers) });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual(callerClaims(`https://${SERVICE}/`));
  });

  it('accepts a JWT client made from the key file\'s fields with defaultServicePath set', async () => {
    const client = new JWT({ email: account.email, key: account.keyFile.private_key, keyId: account.keyId });
    client.defaultServicePath = SERVICE;
    const headers = await client.getRequestHeaders('https://ignored.example.com/');
    expect(pick(decodeJwt(tokenOf(authorizationOf(headers))).payload, ['aud'])).toEqual({ aud: SERVICE_URL });
    const answer = await call(`${url}/whoami`, { headers: Object.fromEntries(headers) });
    expect(answer.status).toBe(200);
  });

  it('refuses google-auth\'s token for another URL (403), and one of an account the spec does not name (401)', async () => {
    const client = await new GoogleAuth({ keyFile }).getClient();
    const other = await call(`${url}/whoami`, { headers: Object.fromEntries(await client.getRequestHeaders('https://other.example.com/')) });
    expect(outcome(other)).toEqual({ status: 403, message: 'Audiences in Jwt are not allowed', errorCode: 'AUDIENCE_NOT_ALLOWED' });

    const strangerClient = await new GoogleAuth({ keyFile: strangerKeyFile }).getClient();
    const unknown = await call(`${url}/whoami`, { headers: Object.fromEntries(await strangerClient.getRequestHeaders(SERVICE_URL)) });
    expect(outcome(unknown)).toEqual({ status: 401, message: 'Jwt issuer is not configured', errorCode: 'UNKNOWN_ISSUER' });
  });
});

it('never asked the key file\'s token_uri: every token above was self-signed', () => {
  expect(tokenEndpoint.requests).toHaveLength(0);
});
