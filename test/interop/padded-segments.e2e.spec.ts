/**
 * Tokens as google-auth for Python 1.x makes them (`google.auth.jwt.encode`): `json.dumps` texts, every segment
 * base64url WITH its `=` padding, the signature over the padded `header.payload`. The library accepts exactly the
 * padding a segment's length needs (what ESPv2's absl decoder accepts) and refuses any other as INVALID_TOKEN.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADAPTERS, type AdapterName, Apps, bearer, call, startApp } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { nowSeconds } from '../support/keys.js';
import {
  SERVICE,
  calleeModule,
  makeAccount,
  openApi,
  outcome,
  paddedBase64Url,
  pythonJson,
  serviceAccountDefinition,
  signPaddedJwt,
  x509Path,
} from './interop-kit.js';

const AUDIENCE = `https://${SERVICE}`;
const account = makeAccount('python-caller@test-project.iam.gserviceaccount.com');
const keys = new KeyServer();

/** The `=` count at the end of a segment. */
const paddingOf = (segment: string) => segment.length - segment.replace(/=+$/, '').length;

/** The first of `make(0)`, `make(1)`, … whose padded base64url ends in exactly `count` `=`. */
function needing<T>(count: 1 | 2, make: (n: number) => T, text: (value: T) => string): T {
  for (let n = 0; n < 3; n++) if (paddingOf(paddedBase64Url(text(make(n)))) === count) return make(n);
  throw new Error(`no candidate needs ${count} padding characters`);
}

/** A kid whose header (`{"typ": "JWT", "alg": "RS256", "kid": …}`) needs `count` padding characters. */
const kidNeeding = (count: 1 | 2) =>
  needing(count, (n) => `python-key-${'1'.repeat(n + 1)}`, (kid) => pythonJson({ typ: 'JWT', alg: 'RS256', kid }));

/** google-auth for Python's service-account claims (iss, sub, iat, exp, aud), made to need `count` padding characters. */
const claimsNeeding = (count: 1 | 2) => {
  const iat = nowSeconds();
  const base = { iss: account.email, sub: account.email, iat, exp: iat + 3600, aud: AUDIENCE };
  return needing(count, (n) => ({ ...base, email: account.email, role: `reader${'s'.repeat(n)}` }), pythonJson);
};

/** Both kids' certificates: each token below names one of them. */
const KIDS = [kidNeeding(1), kidNeeding(2)] as const;

beforeAll(async () => {
  await keys.start();
  keys.set(x509Path(account.email), { body: Object.fromEntries(KIDS.map((kid) => [kid, account.certificate])) });
});
afterAll(() => keys.stop());

/** A padded token whose header needs `headerPadding` and payload `payloadPadding` `=` (the signature always `==`). */
const pythonToken = (headerPadding: 1 | 2, payloadPadding: 1 | 2) =>
  signPaddedJwt(account.privateKey, kidNeeding(headerPadding), claimsNeeding(payloadPadding));

/** The token with segment `index` changed by `change`. */
const withSegment = (token: string, index: number, change: (segment: string) => string) =>
  token.split('.').map((segment, i) => (i === index ? change(segment) : segment)).join('.');

describe.each(ADAPTERS)('padded segments (google-auth for Python 1.x) on %s', (adapter: AdapterName) => {
  const apps = new Apps();
  let url = '';

  beforeAll(async () => {
    const spec = openApi({ service_account: serviceAccountDefinition(account, keys.url) });
    ({ url } = apps.track(await startApp(calleeModule({ spec }, 'service_account'), adapter)));
  });
  afterAll(() => apps.closeAll());

  it('accepts tokens padded on all three segments, with one and with two `=` on the header and the payload', async () => {
    for (const [headerPadding, payloadPadding] of [[1, 2], [2, 1]] as const) {
      const token = pythonToken(headerPadding, payloadPadding);
      expect(token.split('.').map(paddingOf)).toEqual([headerPadding, payloadPadding, 2]);
      const answer = await call(`${url}/whoami`, { headers: bearer(token) });
      expect({ status: answer.status, body: answer.body }).toEqual({
        status: 200,
        body: { iss: account.email, sub: account.email, aud: AUDIENCE, email: account.email },
      });
    }
  });

  it('refuses one wrong padding with 401 INVALID_TOKEN, naming the segment', async () => {
    const token = pythonToken(1, 2);
    const wrong: [string, string][] = [
      [withSegment(token, 2, (s) => s.slice(0, -1)), 'Jwt signature is an invalid Base64url encoded'], // `=` for `==`
      [withSegment(token, 2, (s) => `${s}=`), 'Jwt signature is an invalid Base64url encoded'], // `===`
      [withSegment(token, 0, (s) => `${s}=`), 'Jwt header is an invalid Base64url encoded'], // `==` for `=`
      [withSegment(token, 1, (s) => s.slice(0, -1)), 'Jwt payload is an invalid Base64url encoded'], // `=` for `==`
      [withSegment(token, 1, (s) => `${s.slice(0, -3)}=${s.slice(-3, -2)}=`), 'Jwt payload is an invalid Base64url encoded'], // `=` inside
    ];
    for (const [bad, message] of wrong) {
      expect(outcome(await call(`${url}/whoami`, { headers: bearer(bad) }))).toEqual({ status: 401, message, errorCode: 'INVALID_TOKEN' });
    }
  });

  it('checks the signature over the text as sent: the same token with its padding stripped fails verification', async () => {
    const stripped = pythonToken(2, 1).replace(/=/g, '');
    expect(outcome(await call(`${url}/whoami`, { headers: bearer(stripped) }))).toEqual({
      status: 401,
      message: 'Jwt verification fails',
      errorCode: 'INVALID_TOKEN',
    });
  });
});
