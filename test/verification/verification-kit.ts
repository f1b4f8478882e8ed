/** Helpers for the verification e2e tests: specs built from definitions, apps with one route per definition, forged tokens. */
import { type JsonWebKey, createHmac, createPublicKey } from 'node:crypto';
import { Controller, Get, type INestApplication, Module, Req, type Type } from '@nestjs/common';
import { expect } from 'vitest';
import { EndpointsAuthModule, type EndpointsAuthOptions, type JwtClaims, Secured, UserInfo } from '../../lib/index.js';
import type { KeyClock } from '../../lib/keys/key-clock.js';
import { type AdapterName, call, startAppWith } from '../support/app.js';

/** The service name (`host`) of every spec here; the default audience is `https://SERVICE`. */
export const SERVICE = 'bookstore.endpoints.verification.cloud.goog';

/** One JWT security definition: its issuer, key URL and optional `x-google-audiences`. */
export interface Definition {
  issuer: string;
  /** `x-google-jwks_uri`: a URL or a base64 key; left out for discovery or service-account inference. */
  jwksUri?: string;
  audiences?: string;
}

/** An OpenAPI 2 document declaring `definitions` (all oauth2, ESP style). */
export function specOf(definitions: Record<string, Definition>): Record<string, unknown> {
  const securityDefinitions: Record<string, unknown> = {};
  for (const [name, definition] of Object.entries(definitions)) {
    securityDefinitions[name] = {
      type: 'oauth2',
      flow: 'implicit',
      authorizationUrl: '',
      'x-google-issuer': definition.issuer,
      ...(definition.jwksUri === undefined ? {} : { 'x-google-jwks_uri': definition.jwksUri }),
      ...(definition.audiences === undefined ? {} : { 'x-google-audiences': definition.audiences }),
    };
  }
  return { swagger: '2.0', info: { title: 'verification', version: '1' }, host: SERVICE, securityDefinitions, paths: {} };
}

/** What every guarded route answers: the claims from `request.user` and from `@UserInfo()`, and whether they are one object. */
export interface Echo {
  user: JwtClaims;
  info: JwtClaims;
  same: boolean;
  /** Whether the claims and everything in them are frozen. */
  frozen: boolean;
}

/** A controller at `/<name>` whose GET needs a token of the definition `name`. */
function securedController(name: string): Type<unknown> {
  @Secured(name)
  @Controller(name)
  class DefinitionController {
    @Get()
    echo(@Req() request: { user?: JwtClaims }, @UserInfo() info: JwtClaims): Echo {
      const frozen = Object.isFrozen(info) && Object.values(info).every((v) => typeof v !== 'object' || Object.isFrozen(v));
      return { user: request.user as JwtClaims, info, same: request.user === info, frozen };
    }
  }
  return DefinitionController;
}

/**
 * Boots an app on `adapter` guarding `GET /<name>` with each definition of `definitions`; `options` are the module's
 * options besides the spec; `keyClock` replaces the key stores' clock.
 */
export async function bootApp(
  adapter: AdapterName,
  definitions: Record<string, Definition>,
  options: Omit<EndpointsAuthOptions, 'spec'> = {},
  configure?: (app: INestApplication) => void,
  keyClock?: KeyClock,
): Promise<{ app: INestApplication; url: string }> {
  @Module({
    imports: [EndpointsAuthModule.forRoot({ spec: specOf(definitions), ...options })],
    controllers: Object.keys(definitions).map(securedController),
  })
  class VerificationModule {}
  return startAppWith(VerificationModule, adapter, { configure, keyClock });
}

/** A response as `call()` returns it. */
export interface Answer {
  status: number;
  headers: Headers;
  body: any;
}

/** What an authentication failure must look like. */
export interface Failure {
  status?: 401 | 403;
  code: string;
  message: string;
}

/**
 * Asserts ESP's answer: status, `message`, `errorCode`, and `WWW-Authenticate: Bearer realm="<url><path>"` with
 * `error="invalid_token"` for everything but a missing token. `realm` is the request URL without its query.
 */
export function expectFailure(response: Answer, realm: string, failure: Failure): void {
  const status = failure.status ?? 401;
  expect({ status: response.status, message: response.body?.message, errorCode: response.body?.errorCode }).toEqual({
    status,
    message: failure.message,
    errorCode: failure.code,
  });
  expect(response.body?.statusCode).toBe(status);
  const challenge = `Bearer realm="${realm}"`;
  expect(response.headers.get('www-authenticate')).toBe(
    failure.code === 'MISSING_TOKEN' ? challenge : `${challenge}, error="invalid_token"`,
  );
}

/** GET `url` with `token` as a bearer token; rejects when no answer arrives within `ms` (the library hung). */
export async function callWithin(url: string, token: string, ms: number): Promise<Answer> {
  return call(url, { headers: { authorization: `Bearer ${token}` }, signal: AbortSignal.timeout(ms) }).catch((error: Error) => {
    throw new Error(`no answer within ${ms} ms (${error.name})`);
  });
}

/** The request succeeded and the handler saw `payload` as the claims. */
export function expectClaims(response: Answer, payload: Record<string, unknown>): void {
  expect({ status: response.status, body: response.body }).toEqual({
    status: 200,
    body: { user: payload, info: payload, same: true, frozen: true },
  });
}

/** The answer (body and every header) never repeats the token, nor any of its segments. */
export function expectNoEcho(response: Answer, token: string): void {
  const text = JSON.stringify(response.body) + JSON.stringify([...response.headers.entries()]);
  const [, payload, signature] = token.split('.');
  expect(text.includes(token), 'the token is echoed').toBe(false);
  if (signature) expect(text.includes(signature), 'the signature is echoed').toBe(false);
  if (payload && payload.length > 16) expect(text.includes(payload), 'the payload segment is echoed').toBe(false);
}

/** base64url of the JSON of `value`. */
export const segment = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

/** An HS256 token whose MAC key is `secret` (e.g. an RSA public key's PEM, the key-confusion attack). */
export function hmacJwt(secret: string | Buffer, payload: Record<string, unknown>, header: Record<string, unknown>): string {
  const input = `${segment({ alg: 'HS256', typ: 'JWT', ...header })}.${segment(payload)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** `token` with its signature replaced by `change(signatureBytes)`, re-encoded canonically. */
export function withSignature(token: string, change: (signature: Buffer) => Buffer): string {
  const [header, payload, signature] = token.split('.');
  return `${header}.${payload}.${change(Buffer.from(signature, 'base64url')).toString('base64url')}`;
}

/** An ES256 `token` with its signature re-encoded as DER (ASN.1), as OpenSSL makes it, instead of JOSE's raw r||s. */
export function derSignature(token: string): string {
  return withSignature(token, (raw) => {
    const integer = (bytes: Buffer) => {
      let value = bytes;
      while (value.length > 1 && value[0] === 0 && value[1] < 0x80) value = value.subarray(1);
      if (value[0] >= 0x80) value = Buffer.concat([Buffer.from([0]), value]);
      return Buffer.concat([Buffer.from([0x02, value.length]), value]);
    };
    const body = Buffer.concat([integer(raw.subarray(0, 32)), integer(raw.subarray(32))]);
    return Buffer.concat([Buffer.from([0x30, body.length]), body]);
  });
}

/**
 * A token from `make(attempt)` with its signature in the standard base64 alphabet (`+`, `/`): `make` is called
 * with a new attempt number (to put in a claim) until the signature has a `-` or `_` to translate.
 */
export function standardAlphabetSignature(make: (attempt: number) => string): string {
  for (let attempt = 0; ; attempt++) {
    const [header, payload, signature] = make(attempt).split('.');
    if (/[-_]/.test(signature)) return `${header}.${payload}.${signature.replace(/-/g, '+').replace(/_/g, '/')}`;
  }
}

/** The PEM (SPKI) of a public JWK, as an attacker would download it. */
export function publicPem(jwk: Record<string, unknown>): string {
  return createPublicKey({ key: jwk as JsonWebKey, format: 'jwk' }).export({ format: 'pem', type: 'spki' }) as string;
}

/** `token` with one bit of its signature flipped. */
export const flipBit = (token: string): string =>
  withSignature(token, (signature) => {
    const copy = Buffer.from(signature);
    copy[10] ^= 0x01;
    return copy;
  });

export { freePort } from '../support/ports.js';

/** Sleeps `ms` milliseconds. */
export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
