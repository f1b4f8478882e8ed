/**
 * A refused WebSocket handshake is explained at debug level like a refused request: the handshake's path, the
 * definitions checked, the errorCode and the reason in plain words — never the token.
 */
import { EndpointsAuthWsAdapter } from 'nestjs-endpoints-auth/ws';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, startAppWith } from '../support/app.js';
import { claims, nowSeconds, signJwt } from '../support/keys.js';
import { connectWs } from './clients.js';
import { type Runs, gatewayApp } from './gateways.js';
import { DebugCapture } from '../support/debug-capture.js';

describe.each(ADAPTERS)('a refused ws handshake in the debug log (%s)', (adapter) => {
  let issuers: Issuers;
  const apps = new Apps();

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterEach(() => apps.closeAll());
  afterAll(() => issuers.server.stop());

  it('says which handshake, which definition, the errorCode and why, never the token', async () => {
    const capture = new DebugCapture();
    const runs: Runs = {};
    const { url } = apps.track(
      await startAppWith(gatewayApp(issuers, (name) => ({ path: `/${name}` }), runs), adapter, {
        configure: (app) => {
          app.useLogger(capture);
          app.useWebSocketAdapter(new EndpointsAuthWsAdapter(app));
        },
      }),
    );
    const token = signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience', { exp: nowSeconds() - 3600, iat: nowSeconds() - 7200 }));
    const { client } = await connectWs(`${url.replace(/^http/, 'ws')}/secured`, bearer(token));
    expect((await client.closed).code).toBe(4401);
    const line = capture.lines.find((text) => text.startsWith('refused the WebSocket handshake'));
    expect(line).toMatch(/^refused the WebSocket handshake of \/secured \("alpha"\): TOKEN_EXPIRED "Jwt is expired": /);
    for (const part of token.split('.')) expect(line).not.toContain(part);
  });
});
