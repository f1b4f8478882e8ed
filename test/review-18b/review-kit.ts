/**
 * Helpers for the review of the cache-hit path (issue 18): an app guarding `GET /alpha` (definition `alpha`, its keys
 * on a key server at 127.0.0.1) on either adapter, its token counters, and a raw-socket GET that sends the request
 * line and header lines exactly as written (fetch would normalise the target and merge repeated headers).
 */
import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { EndpointsAuthCounters, type EndpointsAuthOptions } from '../../lib/index.js';
import type { KeyClock } from '../../lib/keys/key-clock.js';
import type { AdapterName } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { claims, makeKey, signJwt } from '../support/keys.js';
import { bootApp } from '../verification/verification-kit.js';

export const ALPHA = 'https://alpha.review-18b.example.com';
export const AUDIENCE = 'alpha-audience';
const key = makeKey('ES256', 'review-18b-1');

/** A fresh alpha token (its own `jti`, so no two tests share a cache entry); `extra` replaces or adds claims. */
export const alphaToken = (extra: Record<string, unknown> = {}) => signJwt(key, claims(ALPHA, AUDIENCE, { jti: randomUUID(), ...extra }));

/** A booted app: its base URL and the validated-token cache's hit and miss counts so far. */
export interface ReviewApp {
  app: INestApplication;
  url: string;
  tokens(): { hits: number; misses: number };
}

/** Boots an app guarding `GET /alpha` on `adapter`, with `options` besides the spec and an optional key-store clock. */
export async function bootAlpha(
  server: KeyServer,
  adapter: AdapterName,
  options: Omit<EndpointsAuthOptions, 'spec'> = {},
  keyClock?: KeyClock,
): Promise<ReviewApp> {
  const { app, url } = await bootApp(
    adapter,
    { alpha: { issuer: ALPHA, jwksUri: serveAlphaKeys(server), audiences: AUDIENCE } },
    options,
    undefined,
    keyClock,
  );
  const counters = app.get(EndpointsAuthCounters);
  return { app, url, tokens: () => counters.tokens() };
}

/** Serves the alpha key on `server`; returns its JWKS URL. */
export function serveAlphaKeys(server: KeyServer): string {
  server.jwks('/review-18b/jwks', [key.jwk]);
  return `${server.url}/review-18b/jwks`;
}

/** Starts a key server on 127.0.0.1. */
export const keyServer = () => new KeyServer().start();

/** An answer read off the socket: the status and the JSON body's `errorCode` and `info.sub` when present. */
export interface RawAnswer {
  status: number;
  code: string | null;
  sub: string | null;
}

/**
 * Sends `GET <target> HTTP/1.1` with `lines` (header lines as written, repeats kept) over a plain socket to the app
 * at `url` and reads the answer.
 */
export function rawGet(url: string, target: string, lines: readonly string[]): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write([`GET ${target} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Connection: close', ...lines, '', ''].join('\r\n'));
    });
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => (text += chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const status = Number(text.slice(9, 12));
      const rest = text.slice(text.indexOf('\r\n\r\n') + 4);
      // A chunked body: the JSON sits between the size line and the terminator.
      const json = rest.slice(rest.indexOf('{'), rest.lastIndexOf('}') + 1);
      const body = json ? (JSON.parse(json) as { errorCode?: string; info?: { sub?: string } }) : {};
      resolve({ status, code: body.errorCode ?? null, sub: body.info?.sub ?? null });
    });
  });
}
