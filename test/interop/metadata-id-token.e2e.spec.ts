/**
 * google-auth-library's `getIdTokenClient(url)` on "Google Cloud": application default credentials find no key file,
 * gcp-metadata's detection finds a metadata server (a fake one on 127.0.0.1, named by `GCE_METADATA_HOST`, answering
 * `Metadata-Flavor: Google`), and the ID token it mints, shaped and signed as Google's (`iss`
 * `https://accounts.google.com`, `aud` = the URL, `azp`, `email`, `sub`, `iat`, `exp`; its key served as a JWKS on
 * 127.0.0.1), is accepted by the library guarding a real app whose definition names Google's ID-token issuer.
 */
import { GoogleAuth, type IdTokenClient } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenServer } from '../client/token-server.js';
import { ADAPTERS, type AdapterName, Apps, call, startApp } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { makeKey, nowSeconds, signJwt } from '../support/keys.js';
import {
  GOOGLE_CERTS_PATH,
  GOOGLE_ISSUER,
  RUN_URL,
  calleeModule,
  googleIdTokenDefinition,
  metadataAnswers,
  openApi,
  outcome,
  tempDir,
} from './interop-kit.js';
import { setEnv } from '../support/env.js';

const CALLER = 'caller-run@test-project.iam.gserviceaccount.com';
const CALLER_ID = '108463927108437710134';
const google = makeKey('RS256', 'google-interop-1');
const keys = new KeyServer();

/** The ID token the metadata server mints for the instance's account, as Google signs it. */
const mintIdToken = (audience: string) => {
  const iat = nowSeconds();
  return signJwt(google, { aud: audience, azp: CALLER_ID, email: CALLER, email_verified: true, exp: iat + 3600, iat, iss: GOOGLE_ISSUER, sub: CALLER_ID });
};
const metadata = new TokenServer(metadataAnswers(mintIdToken));
const gcloudConfig = tempDir();
let restoreEnv = () => {};

beforeAll(async () => {
  await Promise.all([keys.start(), metadata.start()]);
  keys.jwks(GOOGLE_CERTS_PATH, [{ ...google.jwk, alg: 'RS256' }]);
  restoreEnv = setEnv({
    GCE_METADATA_HOST: metadata.host,
    GCE_METADATA_IP: undefined, // it would win over GCE_METADATA_HOST
    METADATA_SERVER_DETECTION: undefined, // detect by pinging, as on a real instance
    GOOGLE_APPLICATION_CREDENTIALS: undefined, // no key file: the metadata server is the credential
    CLOUDSDK_CONFIG: gcloudConfig.path, // an empty gcloud configuration: no developer's ADC file is found
    GOOGLE_CLOUD_PROJECT: 'test-project', // so google-auth does not spawn `gcloud` to look for a project
  });
});
afterAll(async () => {
  restoreEnv();
  await Promise.all([keys.stop(), metadata.stop()]);
  gcloudConfig.remove();
});

/** `client.request({ url })`, reduced to its status and body (a gaxios error holds the request's headers). */
async function request(client: IdTokenClient, url: string): Promise<{ status: number; body: unknown }> {
  try {
    const response = await client.request({ url });
    return { status: response.status, body: response.data };
  } catch (error) {
    const response = (error as { response?: { status: number; data: unknown } }).response;
    if (!response) throw new Error(`google-auth's request failed without an answer: ${(error as Error).name}`);
    return { status: response.status, body: response.data };
  }
}

const callerClaims = { iss: GOOGLE_ISSUER, sub: CALLER_ID, aud: RUN_URL, email: CALLER, azp: CALLER_ID };

describe.each(ADAPTERS)('google-auth-library getIdTokenClient on a metadata server, on %s', (adapter: AdapterName) => {
  const apps = new Apps();
  let url = '';

  beforeAll(async () => {
    const spec = openApi({ google_id_token: googleIdTokenDefinition(keys.url, RUN_URL) });
    ({ url } = apps.track(await startApp(calleeModule({ spec }, 'google_id_token'), adapter)));
  });
  afterAll(() => apps.closeAll());

  it('accepts client.request({ url }) of getIdTokenClient(RUN_URL), after google-auth detected the metadata server', async () => {
    const before = metadata.requests.length;
    const client = await new GoogleAuth().getIdTokenClient(RUN_URL);
    const answer = await request(client, `${url}/whoami`);
    expect(answer).toEqual({ status: 200, body: callerClaims });

    const paths = metadata.requests.slice(before).map((seen) => new URL(seen.url, 'http://metadata'));
    const identity = paths.find((seen) => seen.pathname.endsWith('/service-accounts/default/identity'));
    expect(identity?.searchParams.get('audience')).toBe(RUN_URL);
    expect(identity?.searchParams.get('format')).toBe('full');
  });

  it('accepts getRequestHeaders() of the ID-token client sent with fetch', async () => {
    const client = await new GoogleAuth().getIdTokenClient(RUN_URL);
    const headers = await client.getRequestHeaders();
    const answer = await call(`${url}/whoami`, { headers: Object.fromEntries(headers) });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: callerClaims });
  });

  it('refuses the ID token of another URL with 403 AUDIENCE_NOT_ALLOWED', async () => {
    const client = await new GoogleAuth().getIdTokenClient('https://other-abcdefghij-uc.a.run.app');
    const answer = await call(`${url}/whoami`, { headers: Object.fromEntries(await client.getRequestHeaders()) });
    expect(outcome(answer)).toEqual({ status: 403, message: 'Audiences in Jwt are not allowed', errorCode: 'AUDIENCE_NOT_ALLOWED' });
  });
});

it('found the metadata server as on an instance: gcp-metadata pinged /computeMetadata/v1/instance, every request with Metadata-Flavor', () => {
  const paths = metadata.requests.map((seen) => new URL(seen.url, 'http://metadata').pathname);
  expect(paths).toContain('/computeMetadata/v1/instance');
  expect(metadata.requests.every((seen) => seen.headers['metadata-flavor'] === 'Google')).toBe(true);
});
