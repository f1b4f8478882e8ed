/**
 * google-auth-library's token carried as other Google samples and proxies carry it: `Authorization: bearer <jwt>`
 * (Cloud Run's Python sample writes the scheme in lower case; RFC 7235 makes it case-insensitive), and ESPv2's
 * fixture location `x-google-jwt-locations: [{ header: X-Fixture, value_prefix: jwt-prefix-foo }]` sent as
 * `jwt-prefix-foo <token>` (the space after the prefix is skipped, as Envoy skips it).
 */
import { GoogleAuth } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterName, Apps, call, startApp } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import {
  SERVICE_URL,
  authorizationOf,
  calleeModule,
  certificateMap,
  makeAccount,
  openApi,
  outcome,
  serviceAccountDefinition,
  tempDir,
  tokenOf,
  x509Path,
} from './interop-kit.js';

const account = makeAccount('forms-caller@test-project.iam.gserviceaccount.com');
const keys = new KeyServer();
const dir = tempDir();
/** google-auth's `Authorization` value for the service (`Bearer <self-signed JWT>`). */
let authorization = '';

beforeAll(async () => {
  await keys.start();
  keys.set(x509Path(account.email), { body: certificateMap(account) });
  const keyFile = dir.write('key.json', JSON.stringify(account.keyFile));
  authorization = authorizationOf(await new GoogleAuth({ keyFile }).getRequestHeaders(SERVICE_URL));
});
afterAll(async () => {
  await keys.stop();
  dir.remove();
});

const callerClaims = { iss: account.email, sub: account.email, aud: SERVICE_URL };

describe.each(ADAPTERS)('google-auth tokens in other carriers on %s', (adapter: AdapterName) => {
  const apps = new Apps();
  let defaultUrl = '';
  let fixtureUrl = '';

  beforeAll(async () => {
    const byDefault = openApi({ service_account: serviceAccountDefinition(account, keys.url) });
    const fixture = openApi({
      fixture: serviceAccountDefinition(account, keys.url, { 'x-google-jwt-locations': [{ header: 'X-Fixture', value_prefix: 'jwt-prefix-foo' }] }),
    });
    ({ url: defaultUrl } = apps.track(await startApp(calleeModule({ spec: byDefault }, 'service_account'), adapter)));
    ({ url: fixtureUrl } = apps.track(await startApp(calleeModule({ spec: fixture }, 'fixture'), adapter)));
  });
  afterAll(() => apps.closeAll());

  it('accepts `Authorization: bearer <jwt>` (Cloud Run\'s Python sample) and `BEARER` on the default location', async () => {
    expect(authorization.startsWith('Bearer ')).toBe(true);
    for (const scheme of ['bearer', 'BEARER']) {
      const answer = await call(`${defaultUrl}/whoami`, { headers: { Authorization: `${scheme} ${tokenOf(authorization)}` } });
      expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: callerClaims });
    }
  });

  it('accepts ESPv2\'s fixture: X-Fixture: jwt-prefix-foo <token>', async () => {
    const answer = await call(`${fixtureUrl}/whoami`, { headers: { 'X-Fixture': `jwt-prefix-foo ${tokenOf(authorization)}` } });
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: callerClaims });
  });

  it('reads the fixture definition\'s token only there: google-auth\'s Authorization header alone is MISSING_TOKEN', async () => {
    const answer = await call(`${fixtureUrl}/whoami`, { headers: { Authorization: authorization } });
    expect(outcome(answer)).toEqual({ status: 401, message: 'Jwt is missing', errorCode: 'MISSING_TOKEN' });
  });
});
