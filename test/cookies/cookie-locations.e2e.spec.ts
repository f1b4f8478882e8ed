/**
 * Cookie token locations (our extension of x-google-jwt-locations; ESP skips them): Envoy's from_cookies parsing on
 * the raw Cookie headers, the refusal of a cookie sent twice with different values, and the same answers as a
 * header's for a missing or bad token — on Express and Fastify, over real sockets.
 */
import { Controller, Get } from '@nestjs/common';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { Secured, UserInfo } from '../../lib/index.js';
import type { Issuers } from '../fixtures/issuers.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { type TestKey, claims, makeKey, nowSeconds, signJwt } from '../support/keys.js';
import { Apps, type Answer, boot, expectMissing, expectRejected, withIssuers } from '../requirements/requirements-kit.js';

const ISSUER = 'https://cookie.example.com';
const AUDIENCE = 'cookie-audience';

@Secured('session')
@Controller('me')
class MeController {
  @Get()
  get(@UserInfo('iss') iss: string, @UserInfo('sub') sub: string) {
    return { iss, sub };
  }
}

@Secured('both')
@Controller('both')
class BothController {
  @Get()
  get(@UserInfo('sub') sub: string) {
    return { sub };
  }
}

/** A spec whose `session` reads the `__session` cookie, and `both` a cookie `sid` and `Authorization: Bearer`. */
function spec(issuers: Issuers) {
  const definition = (issuer: string, locations: unknown[]) => ({
    type: 'oauth2',
    flow: 'implicit',
    authorizationUrl: '',
    'x-google-issuer': issuer,
    'x-google-jwks_uri': `${issuers.server.url}/cookie/jwks`,
    'x-google-audiences': AUDIENCE,
    'x-google-jwt-locations': locations,
  });
  return {
    swagger: '2.0',
    info: { title: 'cookies', version: '1' },
    host: issuers.service,
    securityDefinitions: {
      session: definition(ISSUER, [{ cookie: '__session' }]),
      both: definition('https://both.example.com', [{ cookie: 'sid' }, { header: 'Authorization', value_prefix: 'Bearer ' }]),
    },
    paths: {},
  };
}

/** A GET of `path` with these raw header lines, over a plain socket (fetch would merge or normalise them). */
function rawGet(url: string, path: string, lines: string[]): Promise<{ status: number; body: any }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write([`GET ${path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close', ...lines, '', ''].join('\r\n'));
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(text.slice(9, 12));
      const body = text.slice(text.indexOf('\r\n\r\n') + 4);
      // Chunked bodies: the JSON sits between the size line and the terminator.
      const json = body.slice(body.indexOf('{'), body.lastIndexOf('}') + 1);
      resolve({ status, body: json ? JSON.parse(json) : body });
    });
  });
}

describe.each(ADAPTERS)('cookie token locations on %s', (adapter: AdapterName) => {
  let url: string;
  let key: TestKey;
  const apps = new Apps();
  const token = (overrides: Record<string, unknown> = {}) => signJwt(key, claims(ISSUER, AUDIENCE, overrides));
  const bothToken = (sub: string) => signJwt(key, claims('https://both.example.com', AUDIENCE, { sub }));

  withIssuers(apps, async (issuers) => {
    key = makeKey('RS256', 'cookie-1');
    issuers.server.jwks('/cookie/jwks', [key.jwk]);
    ({ url } = apps.track(await boot(adapter, { spec: spec(issuers) }, [MeController, BothController])));
  });

  const me = (cookie: string | undefined, headers: Record<string, string> = {}) =>
    call(`${url}/me`, { headers: { ...(cookie === undefined ? {} : { cookie }), ...headers } });
  const expectUser = (answer: Answer | { status: number; body: any }, sub = 'user-1') =>
    expect({ status: answer.status, body: answer.body }).toEqual({ status: 200, body: { iss: ISSUER, sub } });

  it('reads the token from its cookie: 200 with its claims', async () => {
    expectUser(await me(`__session=${token({ sub: 'cookie-user' })}`), 'cookie-user');
  });

  it('finds it among other cookies, with or without spaces after ";"', async () => {
    expectUser(await me(`theme=dark; __session=${token()}; lang=en`));
    expectUser(await me(`theme=dark;__session=${token()};lang=en`));
  });

  it('trims spaces and tabs around the name and the value', async () => {
    expectUser(await rawGet(url, '/me', [`Cookie: a=1;  \t__session \t=  ${token()}\t ; b=2`]));
  });

  it('takes a DQUOTE-wrapped value without its quotes (RFC 6265 §4.1.1)', async () => {
    expectUser(await me(`__session="${token()}"`));
  });

  it('reads every Cookie header (HTTP/2 sends cookies in several): the token in the second one', async () => {
    expectUser(await rawGet(url, '/me', ['Cookie: theme=dark', `Cookie: __session=${token()}`]));
  });

  it('matches the name case-sensitively: __SESSION is no token (401 "Jwt is missing")', async () => {
    expectMissing(await me(`__SESSION=${token()}`));
  });

  it('answers 401 "Jwt is missing" without the cookie, with other cookies only, or with the token in Authorization', async () => {
    expectMissing(await me(undefined));
    expectMissing(await me('theme=dark; lang=en'));
    // A custom location list replaces ESP's defaults.
    expectMissing(await me(undefined, bearer(token())));
    // A pair without "=" is skipped, as Envoy skips it.
    expectMissing(await me(`__session`));
  });

  it('refuses a bad token in the cookie as in a header: bad signature, expired, malformed, empty', async () => {
    const forged = signJwt(makeKey('RS256', 'cookie-1'), claims(ISSUER, AUDIENCE));
    expectRejected(await me(`__session=${forged}`), 'Jwt verification fails', 'INVALID_TOKEN');
    expectRejected(await me(`__session=${token({ iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 })}`), 'Jwt is expired', 'TOKEN_EXPIRED');
    expect((await me('__session=not-a-jwt')).body.errorCode).toBe('INVALID_TOKEN');
    // An empty value is a token that is not a JWT, as Envoy's from_cookies extracts it.
    expect((await me('__session=')).body.errorCode).toBe('INVALID_TOKEN');
  });

  it('does not percent-decode the value (Envoy does not): an encoded token is malformed', async () => {
    const answer = await me(`__session=${token().replaceAll('.', '%2E')}`);
    expect({ status: answer.status, errorCode: answer.body?.errorCode }).toEqual({ status: 401, errorCode: 'INVALID_TOKEN' });
  });

  describe('the same cookie name twice (cookie tossing)', () => {
    const message = 'Jwt cookie "__session" is sent more than once with different values';

    it('refuses two different values, even when both verify, rather than pick one', async () => {
      const answer = await me(`__session=${token({ sub: 'attacker' })}; __session=${token({ sub: 'victim' })}`);
      expectRejected(answer, message, 'INVALID_TOKEN');
    });

    it('refuses them across two Cookie headers too', async () => {
      const answer = await rawGet(url, '/me', [`Cookie: __session=${token({ sub: 'a' })}`, `Cookie: __session=${token({ sub: 'b' })}`]);
      expect({ status: answer.status, message: answer.body?.message }).toEqual({ status: 401, message });
    });

    it('refuses a good value next to a bad one in either order', async () => {
      expectRejected(await me(`__session=garbage; __session=${token()}`), message, 'INVALID_TOKEN');
      expectRejected(await me(`__session=${token()}; __session=garbage`), message, 'INVALID_TOKEN');
    });

    it('takes the same value sent twice as one token (a quoted and a bare copy included)', async () => {
      const same = token();
      expectUser(await me(`__session=${same}; __session="${same}"`));
    });
  });

  describe('a definition reading a cookie and Authorization (every token found must verify, R16)', () => {
    it('accepts the token in either place', async () => {
      expect((await call(`${url}/both`, { headers: { cookie: `sid=${bothToken('c')}` } })).body).toEqual({ sub: 'c' });
      expect((await call(`${url}/both`, { headers: bearer(bothToken('h')) })).body).toEqual({ sub: 'h' });
    });

    it('refuses a good Authorization token next to a bad cookie', async () => {
      const answer = await call(`${url}/both`, { headers: { ...bearer(bothToken('h')), cookie: 'sid=garbage' } });
      expect({ status: answer.status, errorCode: answer.body?.errorCode }).toEqual({ status: 401, errorCode: 'INVALID_TOKEN' });
    });
  });
});
