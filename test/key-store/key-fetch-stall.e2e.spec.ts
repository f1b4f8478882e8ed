/**
 * A key server that sends 200 and its headers, then stalls or trickles: the fetch must still end within
 * `fetchTimeoutMs`, and the definition must fetch again later (jwks-rsa's own request only has a socket idle
 * timeout, which neither a stalled body nor a trickling one ever trips).
 */
import { type Server, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADAPTERS, type AdapterName } from '../support/app.js';
import { claims, makeKey, signJwt } from '../support/keys.js';
import { ManualClock } from '../support/manual-clock.js';
import { type Failure, bootApp, callWithin, expectClaims, expectFailure } from '../verification/verification-kit.js';

const ISSUER = 'https://stall.example.com';
const AUDIENCE = 'stall-audience';
const key = makeKey('RS256', 'stall-1');
const KEYS_UNAVAILABLE: Failure = { code: 'KEYS_UNAVAILABLE', message: 'Jwks remote fetch is failed' };
const token = (jti: string) => signJwt(key, claims(ISSUER, AUDIENCE, { jti }));

/**
 * A key server that sends 200 and the start of a JWKS, then nothing more (or a space every 100 ms on trickling paths);
 * paths marked healthy get a whole JWKS.
 */
class StallingServer {
  private readonly server: Server = createServer((request, response) => {
    const path = request.url ?? '/';
    this.hits.set(path, (this.hits.get(path) ?? 0) + 1);
    if (this.healthy.has(path)) {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [key.jwk] }));
      return;
    }
    response.writeHead(200, { 'content-type': 'application/json' });
    response.write('{"keys":');
    if (this.trickling.has(path)) {
      // One space every 100 ms: the socket is never idle for long, yet the body never ends.
      const timer = setInterval(() => response.write(' '), 100);
      response.on('close', () => clearInterval(timer));
    }
  });
  readonly hits = new Map<string, number>();
  /** Paths that answer a whole JWKS. */
  readonly healthy = new Set<string>();
  /** Paths that keep sending whitespace after the start of the JWKS. */
  readonly trickling = new Set<string>();
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// The tests wait on clocks, each with its own app and key path, so both adapters and all tests run concurrently.
// The answers' ceilings are generous for a loaded machine; the timeout is a safety net above them.
vi.setConfig({ testTimeout: 120_000 });

describe.concurrent('a key server that stalls or trickles after its headers', () => {
  describe.each(ADAPTERS)('on %s', (adapter: AdapterName) => {
    const stalling = new StallingServer();
    const apps: INestApplication[] = [];
    let next = 0;

    beforeAll(() => stalling.start());
    afterAll(async () => {
      await Promise.all(apps.splice(0).map((app) => app.close()));
      await stalling.stop();
    });

    /**
     * A fresh app whose definition reads its keys from a stalling (or, with `trickle`, trickling) path of its own; the
     * app fetches at start-up, so the path's behaviour is set before it boots. Returns the route and that path.
     */
    async function boot(trickle = false): Promise<{ route: string; path: string; clock: ManualClock }> {
      const path = `/stall-${next++}`;
      if (trickle) stalling.trickling.add(path);
      const clock = new ManualClock();
      const { app, url } = await bootApp(
        adapter,
        { stall: { issuer: ISSUER, jwksUri: `${stalling.url}${path}`, audiences: AUDIENCE } },
        { keyCache: { fetchTimeoutMs: 200 } },
        undefined,
        clock,
      );
      apps.push(app);
      return { route: `${url}/stall`, path, clock };
    }

    // The key server never finishes its body: only the fetch timeout can end the fetch, so an answer at all (within
    // a ceiling far above fetchTimeoutMs, for a loaded machine) shows it did.
    it('answers "Jwks remote fetch is failed" once fetchTimeoutMs is over', async () => {
      const { route } = await boot();
      expectFailure(await callWithin(route, token('first'), 45_000), route, KEYS_UNAVAILABLE);
    });

    it('answers "Jwks remote fetch is failed" once fetchTimeoutMs is over when the body trickles in', async () => {
      const { route } = await boot(true);
      expectFailure(await callWithin(route, token('trickle'), 45_000), route, KEYS_UNAVAILABLE);
    });

    // A fetch that never settled would stay the single in-flight fetch and block the definition for good.
    it('verifies tokens again once the key server is healthy', async () => {
      const { route, path, clock } = await boot();
      expectFailure(await callWithin(route, token('first'), 45_000), route, KEYS_UNAVAILABLE);
      const hits = stalling.hits.get(path) ?? 0;
      stalling.healthy.add(path);
      clock.advance(1000); // the wait after a failed fetch is over
      const payload = claims(ISSUER, AUDIENCE, { jti: 'after-stall' });
      expectClaims(await callWithin(route, signJwt(key, payload), 45_000), payload);
      expect(stalling.hits.get(path)).toBe(hits + 1);
    });
  });
});
