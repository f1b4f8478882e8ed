/**
 * What reads a cookie location besides the guard: the served Swagger scheme and its Endpoints conversions, `check`'s
 * description, the graphql-ws connection request, a gRPC call (no cookies), and the WebSocket handshake views (a
 * cookie only from the page's own origin).
 */
import * as grpc from '@grpc/grpc-js';
import type { IncomingMessage } from 'node:http';
import type { ExecutionContext } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { describeDefinition } from '../../lib/cli/describe-definition.js';
import { connectionRequest } from '../../lib/graphql/connection-request.js';
import { grpcRequestOf } from '../../lib/grpc/grpc-request.util.js';
import type { EndpointsProvider, JwtLocation } from '../../lib/interfaces/provider.interface.js';
import { jwtFactsOf, openApi2JwtDefinition, openApi3JwtScheme } from '../../lib/swagger/endpoints-scheme.js';
import { servedJwtScheme } from '../../lib/swagger/served-scheme.js';
import { cookieValues } from '../../lib/token/cookie-values.util.js';
import { extractTokens } from '../../lib/token/extract-tokens.js';
import type { HttpRequestLike } from '../../lib/token/http-request.interface.js';
import { ioHandshakeView, upgradeRequestView } from '../../lib/websockets/handshake-request.js';

const provider = (locations: JwtLocation[], name = 'session'): EndpointsProvider => ({
  name,
  issuer: 'https://session.firebase.google.com/p1',
  keys: { kind: 'remote', uri: 'https://www.googleapis.com/identitytoolkit/v3/relyingparty/publicKeys' },
  audiences: ['p1'],
  locations,
  requiresIssuedAt: true,
});

describe('the served Swagger scheme of a cookie definition', () => {
  it('is an apiKey in: cookie, keeps the cookie entry, and says Swagger UI cannot set it', () => {
    const scheme = servedJwtScheme(provider([{ cookie: '__session' }]));
    expect(scheme).toMatchObject({ type: 'apiKey', in: 'cookie', name: '__session', 'x-google-jwt-locations': [{ cookie: '__session' }] });
    expect(scheme['description']).toContain('Swagger UI cannot set it');
  });

  it('stays http bearer when the definition also reads Authorization: Bearer', () => {
    const scheme = servedJwtScheme(provider([{ cookie: '__session' }, { header: 'Authorization', valuePrefix: 'Bearer ' }]));
    expect(scheme).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(scheme['x-google-jwt-locations']).toEqual([{ cookie: '__session' }, { header: 'Authorization', value_prefix: 'Bearer ' }]);
  });

  it('keeps the cookie entry in the OpenAPI 2 and OpenAPI 3 Endpoints documents', () => {
    const facts = jwtFactsOf(servedJwtScheme(provider([{ cookie: '__session' }])))!;
    expect(openApi2JwtDefinition(facts, undefined)['x-google-jwt-locations']).toEqual([{ cookie: '__session' }]);
    expect((openApi3JwtScheme(facts, undefined)['x-google-auth'] as Record<string, unknown>)['jwtLocations']).toEqual([{ cookie: '__session' }]);
  });
});

describe('check describes a cookie location', () => {
  it('as "cookie <name>"', () => {
    const lines = describeDefinition(provider([{ cookie: '__session' }, { query: 'jwt' }]), false);
    expect(lines).toContain('    locations  cookie __session, query jwt');
  });
});

describe('the graphql-ws connection request', () => {
  it('puts a connectionParams token in a cookie definition\'s cookie, once per name (the first token)', () => {
    const request = connectionRequest(['t1', 't2'], [provider([{ cookie: '__session' }]), provider([{ cookie: 'sid' }], 'other')], '/graphql');
    expect(request.headers['cookie']).toEqual(['__session=t1', 'sid=t1']);
    expect(extractTokens(request, [{ cookie: '__session' }])).toEqual(['t1']);
    expect(extractTokens(request, [{ cookie: 'sid' }])).toEqual(['t1']);
  });
});

describe('a gRPC call', () => {
  it('has no cookies: a "cookie" metadata key is not read by a cookie location', () => {
    const metadata = new grpc.Metadata();
    metadata.set('cookie', '__session=a.b.c');
    const context = { getArgs: () => [{}, metadata, { getPath: () => '/pkg.Svc/Get' }] } as unknown as ExecutionContext;
    const view = grpcRequestOf(context)!;
    expect(extractTokens(view, [{ cookie: '__session' }])).toEqual([]);
    // The same metadata key is read by a header location: only the cookie kind is HTTP-only.
    expect(extractTokens(view, [{ header: 'cookie' }])).toEqual(['__session=a.b.c']);
  });
});

describe('cookieValues', () => {
  const request = (...cookies: string[]): HttpRequestLike => ({ headers: {}, rawHeaders: cookies.flatMap((value) => ['Cookie', value]) });

  it('reads Envoy\'s way: every header, ";" pairs, a pair without "=" skipped, "=" inside a value kept, one quote pair off', () => {
    expect(cookieValues(request('a=1; flag; s=x=y', 's="q"', 's="'), 's')).toEqual(['x=y', 'q', '"']);
  });

  it('reads the parsed header when there is no raw list (an array, as Fastify may hand it)', () => {
    expect(cookieValues({ headers: { cookie: ['a=1', 's=2'] } }, 's')).toEqual(['2']);
  });
});

describe('the WebSocket handshake views', () => {
  const upgrade = (headers: Record<string, string>): IncomingMessage => {
    const rawHeaders = Object.entries(headers).flat();
    const lower = Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
    return { url: '/ws', headers: lower, rawHeaders, socket: {} } as unknown as IncomingMessage;
  };
  const cookieOf = (view: HttpRequestLike) => extractTokens(view, [{ cookie: '__session' }]);

  it('keep the cookie from the page\'s own origin (default ports alike) and without an Origin', () => {
    expect(cookieOf(upgradeRequestView(upgrade({ Host: 'app.example.com', Origin: 'https://app.example.com', Cookie: '__session=t' }), '/ws'))).toEqual(['t']);
    expect(cookieOf(upgradeRequestView(upgrade({ Host: 'app.example.com:443', Origin: 'https://app.example.com', Cookie: '__session=t' }), '/ws'))).toEqual(['t']);
    expect(cookieOf(upgradeRequestView(upgrade({ Host: '127.0.0.1:3000', Origin: 'http://127.0.0.1:3000', Cookie: '__session=t' }), '/ws'))).toEqual(['t']);
    expect(cookieOf(upgradeRequestView(upgrade({ Host: 'app.example.com', Cookie: '__session=t' }), '/ws'))).toEqual(['t']);
  });

  it('drop it from another origin (another site, a sibling subdomain, another port, Origin: null)', () => {
    for (const origin of ['https://evil.example', 'https://other.example.com', 'https://app.example.com:8443', 'null']) {
      const view = upgradeRequestView(upgrade({ Host: 'app.example.com', Origin: origin, Cookie: '__session=t' }), '/ws');
      expect(cookieOf(view)).toEqual([]);
      expect(view.headers['cookie']).toBeUndefined();
      expect((view['rawHeaders'] as string[]).map((name) => name.toLowerCase())).not.toContain('cookie');
    }
  });

  it('do the same for a socket.io handshake', () => {
    const handshake = (origin: string) => ({
      headers: { host: 'app.example.com', origin, cookie: '__session=t' },
      url: '/socket.io/?EIO=4&transport=polling',
    });
    const raw = (origin: string) => ['Host', 'app.example.com', 'Origin', origin, 'Cookie', '__session=t'];
    expect(cookieOf(ioHandshakeView(handshake('https://app.example.com'), raw('https://app.example.com'), '/socket.io/'))).toEqual(['t']);
    expect(cookieOf(ioHandshakeView(handshake('https://evil.example'), raw('https://evil.example'), '/socket.io/'))).toEqual([]);
    expect(cookieOf(ioHandshakeView(handshake('https://evil.example'), undefined, '/socket.io/'))).toEqual([]);
  });
});
