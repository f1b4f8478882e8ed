/**
 * Review of issue 13's changes, as an attacker. Findings, each fixed:
 * 1. The refusal log (on by default: Nest's console logger enables `debug`) quoted the unverified `iss` and the
 *    header's `kid` as sent: a newline forged a log line, a terminal escape reached the console, and the line was as
 *    long as the token (another JWT in `iss` was logged whole). What the sender chose is now quoted escaped and short.
 * 2. With `header: 'x-serverless-authorization'`, `fetch` (and axios) followed a redirect to another origin with the
 *    token still in that header (they drop only `Authorization`): the callee's token reached any host a redirect
 *    named. It now goes to the origin asked for only; a redirect within it keeps it, as `Authorization` is kept.
 */
import { Test } from '@nestjs/testing';
import axios from 'axios';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type EndpointsClient,
  EndpointsClientModule,
  type TokenSource,
  authorizedFetch,
  getEndpointsClientToken,
  useAuthorization,
} from '../../lib/index.js';
import { type AdapterName, ADAPTERS, Apps, bearer, call } from '../support/app.js';
import { KeyServer } from '../support/key-server.js';
import { claims, makeKey, signJwt } from '../support/keys.js';
import { type SeenRequest, TokenServer } from '../client/token-server.js';
import { bootApp } from '../verification/verification-kit.js';
import { DebugCapture } from '../support/debug-capture.js';

const ISSUER = 'https://review13.example.com';
const key = makeKey('ES256', 'review13-1');
const attacker = makeKey('ES256', 'attacker-1');

describe.each(ADAPTERS)('the refusal log quotes what the sender chose safely on %s', (adapter: AdapterName) => {
  const keyServer = new KeyServer();
  const apps = new Apps();
  const capture = new DebugCapture();
  let url = '';
  /** A real token of the definition's issuer: what a forged `iss` must never carry into the log whole. */
  let genuine = '';

  beforeAll(async () => {
    await keyServer.start();
    keyServer.jwks('/review13', [key.jwk]);
    const definitions = { review13: { issuer: ISSUER, jwksUri: `${keyServer.url}/review13`, audiences: 'review13-audience' } };
    url = apps.track(await bootApp(adapter, definitions, {}, (app) => app.useLogger(capture))).url;
    genuine = signJwt(key, claims(ISSUER, 'review13-audience', { pad: 'x'.repeat(200) }));
  });
  afterAll(async () => {
    await apps.closeAll();
    await keyServer.stop();
  });

  /** The debug line of one refused request: one line, no terminal escape, short, and without either token. */
  async function refusalLine(sent: string, status: number): Promise<string> {
    const before = capture.lines.length;
    expect((await call(`${url}/review13`, { headers: bearer(sent) })).status).toBe(status);
    const line = capture.lines.slice(before).join('\n');
    expect(line).toMatch(/^refused a call to /);
    expect(line.includes('\n'), 'a newline in the log line').toBe(false);
    expect(line.includes('\u001b'), 'a terminal escape in the log line').toBe(false);
    expect(line.length, 'the log line stays short').toBeLessThan(600);
    expect(line.includes(genuine), 'a token in the log line').toBe(false);
    for (const piece of sent.split('.')) expect(line.includes(piece), 'a segment of the sent token in the log line').toBe(false);
    return line;
  }

  it('an unknown issuer with a forged log line, a terminal escape and a whole token in it', async () => {
    const iss = `https://evil.example\n[Nest] 1  - LOG [EndpointsAuth] accepted\u001b[2J ${genuine}`;
    const line = await refusalLine(signJwt(attacker, claims(iss, 'review13-audience')), 401);
    expect(line).toMatch(/UNKNOWN_ISSUER .*the token's issuer "https:\/\/evil\.example\\n\[Nest\].*characters\)/);
  });

  it('an unknown kid with a newline and an escape', async () => {
    const sent = signJwt(attacker, claims(ISSUER, 'review13-audience'), { kid: 'k\n[Nest] forged\u001b[31m' });
    expect(await refusalLine(sent, 401)).toMatch(/KEY_NOT_FOUND .*has kid "k\\n\[Nest\] forged\\u001b\[31m"/);
  });

  it('an audience list the size of the token', async () => {
    const aud = Array.from({ length: 150 }, (_, index) => `https://elsewhere-${index}.example`);
    expect(await refusalLine(signJwt(key, claims(ISSUER, aud)), 403)).toMatch(/AUDIENCE_NOT_ALLOWED .*characters\).*review13-audience/);
  });
});

/** A label the source hands out in place of a token: a failing assertion prints nothing that authenticates. */
const AUDIENCE = 'https://callee-abcdefghij-uc.a.run.app';
const LABEL = `Bearer iam-token-for-${AUDIENCE}`;

class LabelSource implements TokenSource {
  async getToken(audience: string): Promise<string> {
    return `iam-token-for-${audience}`;
  }
}

/** Sends one request through a client made with `header: 'x-serverless-authorization'`; resolves when answered. */
type Send = (url: string, init: { method: string; body?: string; headers: Record<string, string> }) => Promise<number>;

const CLIENTS: [string, Send][] = [
  ['authorizedFetch', async (url, init) => {
    const response = await authorizedFetch(new LabelSource(), AUDIENCE, { header: 'x-serverless-authorization' })(url, init);
    await response.text();
    return response.status;
  }],
  ['useAuthorization on an axios instance', async (url, init) => {
    const instance = axios.create({ validateStatus: () => true });
    useAuthorization(instance, new LabelSource(), AUDIENCE, { header: 'x-serverless-authorization' });
    return (await instance.request({ url, method: init.method, data: init.body, headers: init.headers })).status;
  }],
  ['EndpointsClientModule', async (url, init) => {
    const caller = await Test.createTestingModule({
      imports: [
        EndpointsClientModule.register({
          name: 'callee',
          audience: AUDIENCE,
          baseUrl: new URL(url).origin,
          source: new LabelSource(),
          header: 'x-serverless-authorization',
        }),
      ],
    }).compile();
    try {
      const client = caller.get<EndpointsClient>(getEndpointsClientToken('callee'));
      const response = await client.fetch(new URL(url).pathname, init);
      await response.text();
      return response.status;
    } finally {
      await caller.close();
    }
  }],
];

describe.each(CLIENTS)('%s with X-Serverless-Authorization and a redirect', (_name, send) => {
  /** Another origin (another port of 127.0.0.1): what a redirect from the callee may name. */
  const elsewhere = new TokenServer((_request, response) => response.writeHead(200).end('elsewhere'));
  /** The callee: /away redirects off its origin, /moved within it, /post-moved (303) and /keep-post (307) too. */
  const callee = new TokenServer((request, response) => {
    const path = new URL(request.url, 'http://x').pathname;
    if (path === '/away') return response.writeHead(302, { location: `http://${elsewhere.host}/landing` }).end();
    if (path === '/moved') return response.writeHead(301, { location: '/here' }).end();
    if (path === '/post-moved') return response.writeHead(303, { location: '/here' }).end();
    if (path === '/keep-post') return response.writeHead(307, { location: '/here' }).end();
    response.writeHead(200).end('here');
  });
  const seenAt = (server: TokenServer, path: string): SeenRequest[] => server.requests.filter((request) => request.url === path);

  beforeAll(async () => {
    await elsewhere.start();
    await callee.start();
  });
  beforeEach(() => {
    elsewhere.requests.length = 0;
    callee.requests.length = 0;
  });
  afterAll(async () => {
    await callee.stop();
    await elsewhere.stop();
  });

  it('does not send the token to the origin a redirect names, nor the app’s Authorization', async () => {
    const status = await send(`http://${callee.host}/away`, { method: 'GET', headers: { authorization: 'Bearer app-user-token' } });
    expect(status).toBe(200);
    expect(seenAt(callee, '/away')[0]?.headers['x-serverless-authorization']).toBe(LABEL);
    const landed = seenAt(elsewhere, '/landing');
    expect(landed).toHaveLength(1);
    expect(landed[0]!.headers['x-serverless-authorization'], 'the token reached another origin').toBeUndefined();
    expect(landed[0]!.headers['authorization']).toBeUndefined();
  });

  it('keeps the token on a redirect within the origin', async () => {
    expect(await send(`http://${callee.host}/moved`, { method: 'GET', headers: {} })).toBe(200);
    expect(seenAt(callee, '/here').map((request) => request.headers['x-serverless-authorization'])).toEqual([LABEL]);
  });

  it('follows a 303 after a POST with a GET, and a 307 with the same POST and body, within the origin', async () => {
    const headers = { 'content-type': 'application/json' };
    expect(await send(`http://${callee.host}/post-moved`, { method: 'POST', body: '{"a":1}', headers })).toBe(200);
    expect(seenAt(callee, '/here').map((request) => [request.method, request.body, request.headers['content-type']])).toEqual([
      ['GET', '', undefined],
    ]);
    callee.requests.length = 0;
    expect(await send(`http://${callee.host}/keep-post`, { method: 'POST', body: '{"a":2}', headers })).toBe(200);
    const kept = seenAt(callee, '/here');
    expect(kept.map((request) => [request.method, request.body, request.headers['x-serverless-authorization']])).toEqual([
      ['POST', '{"a":2}', LABEL],
    ]);
  });
});
