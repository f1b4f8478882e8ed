/**
 * The `header` option of the caller's side, as a server on 127.0.0.1 receives it: `authorizedFetch`,
 * `useAuthorization` (a plain axios instance and a `@nestjs/axios` `HttpService`) and an `EndpointsClient` send the
 * token in `Authorization` by default, or in `X-Serverless-Authorization` (Cloud Run's IAM header) instead — never
 * both, and then leaving an `Authorization` the caller set (the app's own token) as it was. A value other than the
 * two header names is refused when the helper is made, before any token is asked for.
 */
import { HttpModule, HttpService } from '@nestjs/axios';
import { Test } from '@nestjs/testing';
import axios from 'axios';
import { firstValueFrom } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AuthorizationHeader,
  type EndpointsClient,
  EndpointsClientModule,
  type TokenSource,
  authorizationMetadata,
  authorizedFetch,
  getEndpointsClientToken,
  useAuthorization,
} from '../../lib/index.js';
import { type SeenRequest, TokenServer } from './token-server.js';

const AUDIENCE = 'https://shelves-abcdefghij-uc.a.run.app';
/** What the source hands out: a label, not a real token, so a failing assertion prints nothing that authenticates. */
const IAM = `Bearer iam-token-for-${AUDIENCE}`;
const APP = 'Bearer app-user-token';

/** A token source that counts how often it is asked. */
class LabelSource implements TokenSource {
  calls = 0;
  async getToken(audience: string): Promise<string> {
    this.calls++;
    return `iam-token-for-${audience}`;
  }
}

/** The two headers a token can ride in, as the server received them (absent ones left out). */
function tokenHeaders(request: SeenRequest): Record<string, string> {
  const seen: Record<string, string> = {};
  for (const name of ['authorization', 'x-serverless-authorization']) {
    const value = request.headers[name];
    if (value !== undefined) seen[name] = String(value);
  }
  return seen;
}

/** Sends one GET with `headers` through a client made for `header` (the default when undefined). */
type Send = (source: TokenSource, url: string, header: AuthorizationHeader | undefined, headers: Record<string, string>) => Promise<void>;

const server = new TokenServer((_request, response) => response.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
let http: HttpService;

const CLIENTS: [string, Send][] = [
  ['authorizedFetch', async (source, url, header, headers) => {
    await (await authorizedFetch(source, AUDIENCE, header ? { header } : undefined)(url, { headers })).text();
  }],
  ['useAuthorization on an axios instance', async (source, url, header, headers) => {
    const instance = axios.create();
    useAuthorization(instance, source, AUDIENCE, { header });
    await instance.get(url, { headers });
  }],
  ['useAuthorization on an HttpService', async (source, url, header, headers) => {
    const remove = useAuthorization(http, source, AUDIENCE, header ? { header } : undefined);
    await firstValueFrom(http.get(url, { headers })).finally(remove);
  }],
  ['EndpointsClientModule', async (source, url, header, headers) => {
    const caller = await Test.createTestingModule({
      imports: [EndpointsClientModule.register({ name: 'run', audience: AUDIENCE, baseUrl: url, source, header })],
    }).compile();
    await (await caller.get<EndpointsClient>(getEndpointsClientToken('run')).fetch('/shelves', { headers })).text();
    await caller.close();
  }],
];

describe('the header the caller’s token is sent in', () => {
  let url = '';
  let source: LabelSource;

  beforeAll(async () => {
    await server.start();
    url = `http://${server.host}/shelves`;
    http = (await Test.createTestingModule({ imports: [HttpModule] }).compile()).get(HttpService);
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    server.requests.length = 0;
    source = new LabelSource();
  });

  /** What the server saw of the one request `send` made, and how many tokens were asked for. */
  async function received(send: Send, header: AuthorizationHeader | undefined, headers: Record<string, string> = {}) {
    await send(source, url, header, headers);
    expect(server.requests).toHaveLength(1);
    return { headers: tokenHeaders(server.requests[0]!), tokens: source.calls };
  }

  describe.each(CLIENTS)('%s', (_name, send) => {
    it('sends Authorization by default, replacing the caller’s, and keeps a caller’s X-Serverless-Authorization', async () => {
      expect(await received(send, undefined)).toEqual({ headers: { authorization: IAM }, tokens: 1 });
      server.requests.length = 0;
      const callerSet = { Authorization: APP, 'X-Serverless-Authorization': 'Bearer set-by-the-caller' };
      expect(await received(send, 'authorization', callerSet)).toEqual({
        headers: { authorization: IAM, 'x-serverless-authorization': 'Bearer set-by-the-caller' },
        tokens: 2,
      });
    });

    it('sends X-Serverless-Authorization alone when asked, never Authorization as well', async () => {
      expect(await received(send, 'x-serverless-authorization')).toEqual({ headers: { 'x-serverless-authorization': IAM }, tokens: 1 });
    });

    it('leaves the caller’s Authorization (the app’s own token) as it was next to X-Serverless-Authorization', async () => {
      expect(await received(send, 'x-serverless-authorization', { authorization: APP, 'x-request-id': '7' })).toEqual({
        headers: { authorization: APP, 'x-serverless-authorization': IAM },
        tokens: 1,
      });
      expect(server.requests[0]!.headers['x-request-id']).toBe('7');
    });

    it('replaces an X-Serverless-Authorization the caller set (in any case), as the default replaces Authorization', async () => {
      expect(await received(send, 'x-serverless-authorization', { 'X-SERVERLESS-AUTHORIZATION': 'Bearer stale' })).toEqual({
        headers: { 'x-serverless-authorization': IAM },
        tokens: 1,
      });
    });
  });

  it('puts the entry in gRPC metadata under the header asked for, keeping an authorization already there', async () => {
    const metadata = new Map<string, string>([['authorization', APP]]);
    const entry = await authorizationMetadata(source, AUDIENCE, { set: (key, value) => metadata.set(key, value) }, { header: 'x-serverless-authorization' });
    expect(entry).toEqual({ 'x-serverless-authorization': IAM });
    expect(Object.fromEntries(metadata)).toEqual({ authorization: APP, 'x-serverless-authorization': IAM });
    expect(await authorizationMetadata(source, AUDIENCE)).toEqual({ authorization: IAM });
    const client = (await Test.createTestingModule({
      imports: [EndpointsClientModule.register({ name: 'run', audience: AUDIENCE, source, header: 'x-serverless-authorization' })],
    }).compile()).get<EndpointsClient>(getEndpointsClientToken('run'));
    expect(await client.metadata()).toEqual({ 'x-serverless-authorization': IAM });
  });
});

describe('a header option that is neither header name', () => {
  const expected = (where: string, got: string) =>
    `${where}: header must be "authorization" or "x-serverless-authorization" (lower case), got ${got}`;
  const bad = (value: unknown) => value as AuthorizationHeader;

  it('is refused by authorizedFetch and useAuthorization when they are called, before any token is asked for', async () => {
    const source = new LabelSource();
    expect(() => authorizedFetch(source, AUDIENCE, { header: bad('X-Serverless-Authorization') })).toThrow(
      expected('authorizedFetch', '"X-Serverless-Authorization"'),
    );
    const instance = axios.create();
    expect(() => useAuthorization(instance, source, AUDIENCE, { header: bad('proxy-authorization') })).toThrow(
      expected('useAuthorization', '"proxy-authorization"'),
    );
    await expect(authorizationMetadata(source, AUDIENCE, undefined, { header: bad(null) })).rejects.toThrow(expected('authorizationMetadata', 'null'));
    expect(source.calls).toBe(0);
  });

  it('stops EndpointsClientModule (register and registerAsync) naming the client', async () => {
    const source = new LabelSource();
    expect(() => EndpointsClientModule.register({ name: 'run', audience: AUDIENCE, source, header: bad('x-goog-iap-jwt-assertion') })).toThrow(
      expected('EndpointsClient "run"', '"x-goog-iap-jwt-assertion"'),
    );
    const compiling = Test.createTestingModule({
      imports: [EndpointsClientModule.registerAsync({ name: 'run', useFactory: () => ({ audience: AUDIENCE, source, header: bad(42) }) })],
    }).compile();
    await expect(compiling).rejects.toThrow(expected('EndpointsClient "run"', 'number'));
  });

  it('never quotes a value that is not shaped like a header name (a token passed by mistake)', () => {
    const token = 'eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJtZSJ9.c2lnbmF0dXJl';
    let message = '';
    try {
      authorizedFetch(new LabelSource(), AUDIENCE, { header: bad(token) });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(expected('authorizedFetch', 'a string that is not a header name'));
  });
});
