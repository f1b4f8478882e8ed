import { EndpointsAuthWsAdapter } from 'nestjs-endpoints-auth/ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, startAppWith } from '../support/app.js';
import { claims, nowSeconds, signJwt } from '../support/keys.js';
import { ManualClock } from '../support/manual-clock.js';
import { connectWs } from './clients.js';
import { type Runs, gatewayApp } from './gateways.js';
import { RecordingWsAdapter } from './nest-ws-adapter.js';

describe.each(ADAPTERS)('ws gateways behind EndpointsAuthWsAdapter (%s)', (adapter) => {
  let issuers: Issuers;
  const apps = new Apps();

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterEach(() => apps.closeAll());
  afterAll(() => issuers.server.stop());

  const alphaToken = (overrides: Record<string, unknown> = {}) =>
    signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', overrides));

  async function boot(options: { plainAdapter?: boolean } = {}) {
    const runs: Runs = {};
    const clock = new ManualClock();
    const module = gatewayApp(issuers, (name) => ({ path: `/${name}` }), runs);
    let plain: RecordingWsAdapter | undefined;
    const { app, url } = apps.track(
      await startAppWith(module, adapter, {
        keyClock: clock,
        configure: (app) => app.useWebSocketAdapter(options.plainAdapter ? (plain = new RecordingWsAdapter(app)) : new EndpointsAuthWsAdapter(app)),
      }),
    );
    return { app, runs, clock, plain, at: (path: string) => `${url.replace(/^http/, 'ws')}${path}` };
  }

  it('refuses a connection without a token with 4401, after an exception carrying errorCode and ESP message', async () => {
    const { at, runs } = await boot();
    const { client } = await connectWs(at('/secured'));
    expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is missing' });
    expect(client.messages).toEqual([{ event: 'exception', data: { status: 'error', message: 'Jwt is missing', errorCode: 'MISSING_TOKEN' } }]);
    expect(runs).toEqual({});
  });

  it('refuses an expired token (4401) and a wrong audience (4403)', async () => {
    const { at } = await boot();
    const expired = await connectWs(at('/secured'), bearer(alphaToken({ exp: nowSeconds() - 3600, iat: nowSeconds() - 7200 })));
    expect(await expired.client.closed).toEqual({ code: 4401, reason: 'Jwt is expired' });
    expect(expired.client.messages[0]?.data).toEqual({ status: 'error', message: 'Jwt is expired', errorCode: 'TOKEN_EXPIRED' });
    const audience = await connectWs(at('/secured'), bearer(alphaToken({ aud: 'someone-else' })));
    expect(await audience.client.closed).toEqual({ code: 4403, reason: 'Audiences in Jwt are not allowed' });
    expect(audience.client.messages[0]?.data).toEqual({
      status: 'error',
      message: 'Audiences in Jwt are not allowed',
      errorCode: 'AUDIENCE_NOT_ALLOWED',
    });
  });

  it('hands a valid token (header or access_token query) to the handler with its claims; public handlers run', async () => {
    const { at, runs } = await boot();
    const { client } = await connectWs(at('/secured'), bearer(alphaToken({ sub: 'header-user' })));
    expect(await client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'header-user' } });
    expect(await client.ask('ping')).toEqual({ event: 'pong', data: 'ok' });
    const query = await connectWs(at(`/secured?access_token=${alphaToken({ sub: 'query-user' })}`));
    expect(await query.client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'query-user' } });
    expect(runs).toEqual({ 'secured.whoami': 2, 'secured.ping': 1 });
  });

  it("refuses a message whose handler requires another definition; the handler never runs, the connection stays", async () => {
    const { at, runs } = await boot();
    const { client } = await connectWs(at('/secured'), bearer(alphaToken()));
    expect(await client.ask('beta')).toEqual({
      event: 'exception',
      data: { status: 'error', message: 'Jwt issuer is not configured', errorCode: 'UNKNOWN_ISSUER' },
    });
    expect(await client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'user-1' } });
    expect(runs).toEqual({ 'secured.whoami': 1 });
  });

  it('opens a public gateway to anyone, and refuses its secured handler per message (missing, expired token)', async () => {
    const { at, runs } = await boot();
    const anonymous = await connectWs(at('/open'));
    expect(await anonymous.client.ask('ping')).toEqual({ event: 'pong', data: { sub: null } });
    expect(await anonymous.client.ask('whoami')).toEqual({
      event: 'exception',
      data: { status: 'error', message: 'Jwt is missing', errorCode: 'MISSING_TOKEN' },
    });
    // ESP never checks a token on a public route: the connection opens, and the messages that need it are refused.
    const expired = await connectWs(at('/open'), bearer(alphaToken({ exp: nowSeconds() - 3600, iat: nowSeconds() - 7200 })));
    expect(await expired.client.ask('ping')).toEqual({ event: 'pong', data: { sub: null } });
    expect((await expired.client.ask('whoami')).data).toEqual({ status: 'error', message: 'Jwt is expired', errorCode: 'TOKEN_EXPIRED' });
    const valid = await connectWs(at('/open'), bearer(alphaToken({ sub: 'open-user' })));
    expect(await valid.client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'open-user' } });
    expect(runs).toEqual({ 'open.ping': 2, 'open.whoami': 1 });
  });

  it("applies what the spec requires of GET <path> to an undecorated gateway's connection and handlers", async () => {
    const { at, runs } = await boot();
    const refused = await connectWs(at('/plain'));
    expect(await refused.client.closed).toEqual({ code: 4401, reason: 'Jwt is missing' });
    const { client } = await connectWs(at('/plain'), bearer(alphaToken({ sub: 'spec-user' })));
    expect(await client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'spec-user' } });
    expect(runs).toEqual({ 'plain.whoami': 1 });
  });

  it("closes the connection with 4401 when its token expires (exp + the 60 s skew), not before", async () => {
    const { at, clock, runs } = await boot();
    const { client } = await connectWs(at('/secured'), bearer(alphaToken({ exp: nowSeconds() + 120 })));
    clock.advance(120_000);
    expect(await client.ask('whoami')).toEqual({ event: 'whoami', data: { sub: 'user-1' } });
    clock.advance(62_000);
    expect(await client.closed).toEqual({ code: 4401, reason: 'Jwt is expired' });
    expect(client.messages.at(-1)).toEqual({
      event: 'exception',
      data: { status: 'error', message: 'Jwt is expired', errorCode: 'TOKEN_EXPIRED' },
    });
    expect(runs).toEqual({ 'secured.whoami': 1 });
  });

  it('without the adapter, a secured handler answers UNSUPPORTED_CONTEXT (fail closed), never "Internal server error"', async () => {
    const { at, runs, plain } = await boot({ plainAdapter: true });
    const { client } = await connectWs(at('/secured'), bearer(alphaToken()));
    // On Nest 11 the event never reaches a `ws` client of Nest's own adapter: it is read where Nest raised it.
    expect(await plain!.answer(client, 'whoami')).toEqual({
      event: 'exception',
      data: { status: 'error', message: 'Jwt cannot be read from a "ws" context', errorCode: 'UNSUPPORTED_CONTEXT' },
    });
    expect(runs).toEqual({});
  });
});
