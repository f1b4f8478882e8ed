/**
 * ESP's forwarded caller, `X-Endpoint-API-UserInfo` (esp-rules.md R42, R43), over real sockets on Express and Fastify:
 * ESPv2's value (the token's payload segment as sent) by default, ESP v1's padded JSON by option, none with `false`;
 * and a client-sent header is removed on every route the guard runs, whatever the option.
 */
import { type CanActivate, Controller, type ExecutionContext, Get, Injectable, Req } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { Public, Secured, type UserInfoHeaderFormat } from '../../lib/index.js';
import { type Issuers, openApi2 } from '../fixtures/issuers.js';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { Apps, boot, withIssuers } from '../requirements/requirements-kit.js';

const HEADER = 'x-endpoint-api-userinfo';

interface Seen {
  /** The header as `request.headers` gives it, or null. */
  header: string | null;
  /** How many times the raw header list still names it. */
  raw: number;
  /** What Node's `headersDistinct` holds for it (it is built from the raw list), or null. */
  distinct: string[] | null;
  /** What an app-level guard, which runs before the library's, saw of it. */
  beforeGuard: string | null;
}

const BEFORE_GUARD = Symbol('seen by the app guard');

type Setup = 'app guard first' | 'library guard alone' | 'no global guard';

/** A guard of the app's own (registered before the library's), as ESP-era code reads the caller: from the header. */
@Injectable()
class HeaderReadingGuard implements CanActivate {
  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest();
    request[BEFORE_GUARD] = request.headers[HEADER] ?? null;
    return true;
  }
}

type EchoRequest = {
  headers: Record<string, unknown>;
  rawHeaders?: string[];
  headersDistinct?: Record<string, string[]>;
  raw?: { rawHeaders?: string[]; headersDistinct?: Record<string, string[]> };
  [BEFORE_GUARD]?: string | null;
};

/** What the handler sees of the header: parsed, raw and distinct (Express: the request; Fastify: `request.raw`). */
function seen(request: EchoRequest): Seen {
  const message = request.raw ?? request;
  const raw = message.rawHeaders ?? [];
  const header = request.headers[HEADER];
  return {
    header: typeof header === 'string' ? header : header === undefined ? null : String(header),
    raw: raw.filter((_, i) => i % 2 === 0 && raw[i].toLowerCase() === HEADER).length,
    distinct: message.headersDistinct?.[HEADER] ?? null,
    beforeGuard: request[BEFORE_GUARD] ?? null,
  };
}

@Controller()
class EchoController {
  @Secured('alpha')
  @Get('secured')
  secured(@Req() request: EchoRequest): Seen {
    return seen(request);
  }

  @Secured('alpha', { optional: true })
  @Get('optional')
  optional(@Req() request: EchoRequest): Seen {
    return seen(request);
  }

  @Public()
  @Get('public')
  open(@Req() request: EchoRequest): Seen {
    return seen(request);
  }

  @Public()
  @Get()
  root(@Req() request: EchoRequest): Seen {
    return seen(request);
  }
}

const payloadSegment = (token: string) => token.split('.')[1];
const decodeEspV1 = (value: string) => JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));

describe.each(ADAPTERS)('X-Endpoint-API-UserInfo on %s', (adapter: AdapterName) => {
  let issuers: Issuers;
  const apps = new Apps();
  withIssuers(apps, async (started) => {
    issuers = started;
  });

  /**
   * An app with the Echo routes; `setup` says which guards it has: the library's alone (it strips the header), an
   * `APP_GUARD` of the app's that runs before it (a middleware must strip it), or none (`globalGuard: false`).
   */
  async function start(userInfoHeader?: UserInfoHeaderFormat, setup: Setup = 'app guard first'): Promise<string> {
    const options = { ...(userInfoHeader === undefined ? {} : { userInfoHeader }), ...(setup === 'no global guard' ? { globalGuard: false } : {}) };
    const providers = setup === 'app guard first' ? [{ provide: APP_GUARD, useClass: HeaderReadingGuard }] : [];
    const module = await boot(adapter, { spec: openApi2(issuers), ...options }, [EchoController], undefined, providers);
    return apps.track(module).url;
  }
  const token = (overrides: Record<string, unknown> = {}) =>
    signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', { email: 'user@example.com', ...overrides }));
  const get = async (url: string, headers: Record<string, string> = {}) => {
    const answer = await call(url, { headers });
    expect(answer.status).toBe(200);
    return answer.body as Seen;
  };

  it('by default sets ESPv2’s value: the verified token’s payload segment, verbatim and unpadded', async () => {
    const url = await start();
    const first = token({ jti: 'a' });
    expect(await get(`${url}/secured`, bearer(first))).toMatchObject({ header: payloadSegment(first), raw: 0 });
    // A validated-token cache hit forwards the same value.
    expect(await get(`${url}/secured`, bearer(first))).toMatchObject({ header: payloadSegment(first), raw: 0 });
    const second = token({ jti: 'b' });
    expect(await get(`${url}/secured`, bearer(second))).toMatchObject({ header: payloadSegment(second), raw: 0 });
  });

  it('with "esp" sets ESP v1’s value: padded base64url JSON of claims (a string), issuer, id, email and audiences', async () => {
    const url = await start('esp');
    const sent = token();
    const { header } = await get(`${url}/secured`, bearer(sent));
    expect(header!.length % 4).toBe(0);
    const payload = JSON.parse(Buffer.from(payloadSegment(sent), 'base64url').toString('utf8'));
    expect(decodeEspV1(header!)).toEqual({
      claims: JSON.stringify(payload),
      issuer: issuers.alpha.issuer,
      id: 'user-1',
      email: 'user@example.com',
      audiences: ['alpha-audience'],
    });
    expect(Object.keys(decodeEspV1(header!))).toEqual(['claims', 'issuer', 'id', 'email', 'audiences']);
  });

  it('with "esp", an aud list becomes "" inside claims and a sorted, de-duplicated audiences list, as ESP v1 does', async () => {
    const url = await start('esp');
    const sent = token({ aud: ['zeta', 'alpha-audience', 'zeta'], email: undefined });
    const info = decodeEspV1((await get(`${url}/secured`, bearer(sent))).header!);
    expect(info.audiences).toEqual(['alpha-audience', 'zeta']);
    expect(JSON.parse(info.claims).aud).toBe('');
    expect('email' in info).toBe(false);
  });

  it('with false sets nothing', async () => {
    const url = await start(false);
    expect(await get(`${url}/secured`, bearer(token()))).toMatchObject({ header: null, raw: 0 });
  });

  it.each([
    [undefined, 'app guard first'],
    ['esp', 'app guard first'],
    [false, 'app guard first'],
    [undefined, 'library guard alone'],
    [false, 'library guard alone'],
  ] as const)('removes a client-sent header on every route (option %s, %s)', async (format, setup) => {
    const url = await start(format, setup);
    const forged = { [HEADER]: Buffer.from('{"iss":"https://forged.example.com"}').toString('base64url') };
    // Gone before the app's own guards run, and from every view Node offers of the headers.
    const gone = { header: null, raw: 0, distinct: null, beforeGuard: null };
    expect(await get(`${url}/public`, forged)).toEqual(gone);
    expect(await get(`${url}/`, forged)).toEqual(gone);
    expect(await get(`${url}/optional`, forged)).toEqual(gone);
    // On a verified route the forged value gives way to the verified caller's (or to nothing with `false`).
    const sent = token();
    const verified = await get(`${url}/secured`, { ...forged, ...bearer(sent) });
    expect({ raw: verified.raw, distinct: verified.distinct, beforeGuard: verified.beforeGuard }).toEqual({ raw: 0, distinct: null, beforeGuard: null });
    if (format === false) expect(verified.header).toBeNull();
    else if (format === 'esp') expect(decodeEspV1(verified.header!).issuer).toBe(issuers.alpha.issuer);
    else expect(verified.header).toBe(payloadSegment(sent));
  });

  it('removes a client-sent header even on routes no guard runs on (globalGuard: false)', async () => {
    const url = await start(undefined, 'no global guard');
    const forged = { [HEADER]: 'e30' };
    expect(await get(`${url}/public`, forged)).toEqual({ header: null, raw: 0, distinct: null, beforeGuard: null });
  });
});
