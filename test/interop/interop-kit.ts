/**
 * Shared pieces of the interop suite: a callee protected by the library, the security definitions Google's clients
 * need, tokens spelled as other Google clients spell them, and environment changes that are always undone. Tokens are
 * only ever compared, never printed: helpers hand back booleans, statuses and picked claims.
 */
import { type KeyObject, sign } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import { Controller, Get, Headers, Module, type Type } from '@nestjs/common';
import { OAuth2Client } from 'google-auth-library';
import { EndpointsAuthModule, type EndpointsAuthOptions, type JwtClaims, Public, Secured, UserInfo } from '../../lib/index.js';
import type { TestAccount } from '../client/client-kit.js';
import type { SeenRequest } from '../client/token-server.js';

export { type TestAccount, decodeJwt, makeAccount, tempDir } from '../client/client-kit.js';

/** The callee's service name: its default audience is `https://SERVICE`. */
export const SERVICE = 'shelves.endpoints.test-project.cloud.goog';
/** The URL google-auth signs for when asked for headers of the service (`aud` = this URL, trailing slash included). */
export const SERVICE_URL = `https://${SERVICE}/`;
/** A Cloud Run URL: the audience of Google-signed ID tokens for the callee. */
export const RUN_URL = 'https://shelves-abcdefghij-uc.a.run.app';
/** The issuer of Google-signed ID tokens. */
export const GOOGLE_ISSUER = 'https://accounts.google.com';
/** Where the key server serves Google's ID-token keys (Google's path, on 127.0.0.1). */
export const GOOGLE_CERTS_PATH = '/oauth2/v3/certs';

/** Where the key server serves an account's X.509 certificate map, as Google serves `/robot/v1/metadata/x509/EMAIL`. */
export const x509Path = (email: string) => `/robot/v1/metadata/x509/${email}`;

/** Google's certificate map of one account: `{ private_key_id: PEM certificate }`. */
export const certificateMap = (account: TestAccount) => ({ [account.keyId]: account.certificate });

/** A definition whose issuer is `account`, its keys the certificate map on the key server at `keysUrl`. */
export function serviceAccountDefinition(account: TestAccount, keysUrl: string, extra: Record<string, unknown> = {}) {
  return {
    type: 'oauth2',
    flow: 'implicit',
    authorizationUrl: '',
    'x-google-issuer': account.email,
    'x-google-jwks_uri': `${keysUrl}${x509Path(account.email)}`,
    ...extra,
  };
}

/** A definition of Google-signed ID tokens for `audience`, their keys the JWKS on the key server at `keysUrl`. */
export function googleIdTokenDefinition(keysUrl: string, audience: string) {
  return {
    type: 'oauth2',
    flow: 'implicit',
    authorizationUrl: '',
    'x-google-issuer': GOOGLE_ISSUER,
    'x-google-jwks_uri': `${keysUrl}${GOOGLE_CERTS_PATH}`,
    'x-google-audiences': audience,
  };
}

/** An OpenAPI 2 document of the callee (host `SERVICE`) with `definitions` as its security definitions. */
export function openApi(definitions: Record<string, object>) {
  return { swagger: '2.0', info: { title: 'interop', version: '1' }, host: SERVICE, paths: {}, securityDefinitions: definitions };
}

/** The claims the callee hands back: enough to compare, never the whole claim set. */
export const SHOWN_CLAIMS = ['iss', 'sub', 'aud', 'email', 'azp'] as const;

/**
 * A module whose `GET /whoami` needs a token of `definition` and answers the verified caller's `SHOWN_CLAIMS` (read
 * with `@UserInfo()`), and whose public `GET /echo` answers how many bytes of `Authorization` reached the app.
 */
export function calleeModule(options: EndpointsAuthOptions, definition: string): Type<unknown> {
  @Secured(definition)
  @Controller('whoami')
  class WhoAmIController {
    @Get() whoami(@UserInfo() claims: JwtClaims) {
      return Object.fromEntries(SHOWN_CLAIMS.filter((name) => claims[name] !== undefined).map((name) => [name, claims[name]]));
    }
  }

  @Controller('echo')
  class EchoController {
    @Public()
    @Get()
    echo(@Headers('authorization') authorization?: string) {
      return { authorizationBytes: authorization === undefined ? 0 : Buffer.byteLength(authorization) };
    }
  }

  @Module({ imports: [EndpointsAuthModule.forRoot(options)], controllers: [WhoAmIController, EchoController] })
  class CalleeModule {}
  return CalleeModule;
}

/** The `Authorization` value google-auth produced; an error that never quotes the headers when there is none. */
export function authorizationOf(headers: Headers): string {
  const value = headers.get('authorization');
  if (!value) throw new Error(`google-auth gave no Authorization header (headers: ${[...headers.keys()].join(', ')})`);
  return value;
}

/** The token of a `Bearer <token>` value. */
export function tokenOf(authorization: string): string {
  const match = /^Bearer (\S+)$/.exec(authorization);
  if (!match) throw new Error('the Authorization value is not "Bearer <token>"');
  return match[1]!;
}

/** `payload`'s named claims only: what a test compares, so a failing diff never shows the whole claim set. */
export function pick(payload: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  return Object.fromEntries(names.filter((name) => name in payload).map((name) => [name, payload[name]]));
}

/** Status, message and errorCode of an answer: what a refusal is compared by. */
export const outcome = (answer: { status: number; body: any }) => ({
  status: answer.status,
  message: answer.body?.message,
  errorCode: answer.body?.errorCode,
});

/**
 * What google-auth's own verifier says of `token`: accepted with the `names` claims, or refused with the start of its
 * message (google-auth puts the token after the colon, so only the part before it is kept).
 */
export async function googleAuthVerdict(
  token: string,
  certs: Record<string, string>,
  audience: string,
  issuers: string[],
  names: readonly string[] = ['iss', 'sub', 'aud', 'email'],
): Promise<{ accepted: true; claims: Record<string, unknown> } | { accepted: false; reason: string }> {
  try {
    const ticket = await new OAuth2Client().verifySignedJwtWithCertsAsync(token, certs, audience, issuers);
    return { accepted: true, claims: pick((ticket.getPayload() ?? {}) as Record<string, unknown>, names) };
  } catch (error) {
    return { accepted: false, reason: String((error as Error).message).split(':')[0]! };
  }
}

/** base64url with the `=` padding base64 writes, as google-auth for Python 1.x encodes JWT segments. */
export function paddedBase64Url(bytes: Buffer | string): string {
  const text = Buffer.from(bytes).toString('base64url');
  return text + '='.repeat((4 - (text.length % 4)) % 4);
}

/** JSON as Python's `json.dumps` writes it by default: `", "` between items and `": "` after keys. */
export function pythonJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(pythonJson).join(', ')}]`;
  if (typeof value === 'object' && value !== null) {
    return `{${Object.entries(value).map(([key, item]) => `${JSON.stringify(key)}: ${pythonJson(item)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/**
 * An RS256 JWT as google-auth for Python 1.x (`google.auth.jwt.encode`) makes it: header `{"typ", "alg", "kid"}`,
 * both JSON texts from `json.dumps`, every segment base64url WITH padding, signed over the padded `header.payload`.
 */
export function signPaddedJwt(privateKey: KeyObject, kid: string, payload: Record<string, unknown>): string {
  const input = `${paddedBase64Url(pythonJson({ typ: 'JWT', alg: 'RS256', kid }))}.${paddedBase64Url(pythonJson(payload))}`;
  return `${input}.${paddedBase64Url(sign('sha256', Buffer.from(input), privateKey))}`;
}

/**
 * A metadata server's answers, as gcp-metadata (google-auth-library's) needs them: every answer carries
 * `Metadata-Flavor: Google` (its detection pings `/computeMetadata/v1/instance` for that header), a request without
 * that header is refused as the real server refuses it, and the identity path answers `mint(audience)`.
 */
export function metadataAnswers(mint: (audience: string) => string, projectId = 'test-project') {
  return (request: SeenRequest, response: ServerResponse) => {
    const url = new URL(request.url, 'http://metadata');
    const reply = (status: number, body: string) =>
      response.writeHead(status, { 'metadata-flavor': 'Google', 'content-type': 'application/text' }).end(body);
    if (request.headers['metadata-flavor'] !== 'Google') return reply(403, 'Missing Metadata-Flavor: Google');
    if (url.pathname === '/computeMetadata/v1/instance' || url.pathname === '/computeMetadata/v1/instance/') {
      return reply(200, 'attributes/\nhostname\nid\nservice-accounts/\nzone\n');
    }
    if (url.pathname === '/computeMetadata/v1/project/project-id') return reply(200, projectId);
    if (url.pathname === '/computeMetadata/v1/instance/service-accounts/default/identity') {
      const audience = url.searchParams.get('audience');
      if (!audience) return reply(400, 'non-empty audience parameter required');
      return reply(200, mint(audience));
    }
    return reply(404, 'not found');
  };
}
