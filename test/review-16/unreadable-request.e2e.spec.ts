/**
 * A handler whose request cannot be read fails closed even when it is undecorated: without the library's adapter (a
 * gateway on Nest's own WsAdapter / IoAdapter) the handshake path is unknown, so the handler requires a token of any
 * definition and is refused as UNSUPPORTED_CONTEXT, as docs/websockets.md says. It used to get the spec's API level
 * (nothing here) and ran for anyone although the spec protects its path.
 */
import type { INestApplication } from '@nestjs/common';
import { IoAdapter } from '@nestjs/platform-socket.io';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Issuers, startIssuers } from '../fixtures/issuers.js';
import { ADAPTERS, Apps, bearer, startAppWith } from '../support/app.js';
import { claims, signJwt } from '../support/keys.js';
import { type IoClient, connectIo, connectWs } from '../websockets/clients.js';
import { type Runs, gatewayApp } from '../websockets/gateways.js';
import { RecordingWsAdapter } from '../websockets/nest-ws-adapter.js';

const unsupported = (type: string) => ({ status: 'error', message: `Jwt cannot be read from a "${type}" context`, errorCode: 'UNSUPPORTED_CONTEXT' });

describe.each(ADAPTERS)('an undecorated gateway handler on Nest’s own adapters (%s)', (adapter) => {
  let issuers: Issuers;
  const apps = new Apps();
  const ioClients: IoClient[] = [];

  beforeAll(async () => {
    issuers = await startIssuers();
  });
  afterEach(async () => {
    ioClients.splice(0).forEach((client) => client.socket.close());
    await apps.closeAll();
  });
  afterAll(() => issuers.server.stop());

  const token = () => signJwt(issuers.alpha.key, claims(issuers.alpha.issuer, 'alpha-audience'));

  it('ws: refused UNSUPPORTED_CONTEXT, with a token or without; a public handler still runs', async () => {
    const runs: Runs = {};
    const module = gatewayApp(issuers, (name) => ({ path: `/${name}` }), runs);
    let plain: RecordingWsAdapter | undefined;
    const configure = (app: INestApplication) => void app.useWebSocketAdapter((plain = new RecordingWsAdapter(app)));
    const { url } = apps.track(await startAppWith(module, adapter, { configure }));
    const at = (path: string) => `${url.replace(/^http/, 'ws')}${path}`;
    for (const headers of [{}, bearer(token())]) {
      const { client } = await connectWs(at('/plain'), headers);
      // On Nest 11 the event never reaches a `ws` client of Nest's own adapter: it is read where Nest raised it.
      expect(await plain!.answer(client, 'whoami')).toEqual({ event: 'exception', data: unsupported('ws') });
      client.socket.close();
    }
    const { client } = await connectWs(at('/secured'));
    expect(await client.ask('ping')).toEqual({ event: 'pong', data: 'ok' });
    client.socket.close();
    expect(runs).toEqual({ 'secured.ping': 1 });
  });

  it('socket.io: refused UNSUPPORTED_CONTEXT', async () => {
    const runs: Runs = {};
    const module = gatewayApp(issuers, (name) => ({ namespace: name }), runs);
    const { url } = apps.track(await startAppWith(module, adapter, { configure: (app) => app.useWebSocketAdapter(new IoAdapter(app)) }));
    const outcome = await connectIo(`${url}/plain`, { auth: { token: token() } });
    if (!('client' in outcome)) throw new Error(`refused: ${outcome.error.message}`);
    ioClients.push(outcome.client);
    expect(await outcome.client.ask('whoami')).toEqual({ event: 'exception', data: unsupported('ws') });
    expect(runs).toEqual({});
  });
});
