/**
 * The bench of the bad-input table (bad-inputs.e2e.spec.ts, peers.md §2.4): the research configuration (one issuer
 * whose JWKS holds an RSA-2048 `k1`, a P-256 `k2` and an RSA-1024 `weak`), the apps the rows call over a real socket,
 * the token forgeries the list needs beyond verification-kit's, and the small outcome objects rows are compared by.
 */
import { randomUUID, sign } from 'node:crypto';
import { Controller, Get, type INestApplication } from '@nestjs/common';
import { EndpointsAuthCounters, type EndpointsAuthOptions, Secured } from '../../lib/index.js';
import { makeCertificates } from '../keys/certificates.js';
import { boot } from '../requirements/requirements-kit.js';
import { type AdapterName, Apps, bearer, call } from '../support/app.js';
import { KeyServer, type Route } from '../support/key-server.js';
import { type TestKey, claims, makeKey, signJwt } from '../support/keys.js';
import { ManualClock } from '../support/manual-clock.js';
import { type Answer, type Definition, bootApp, expectNoEcho, segment, specOf, withSignature } from '../verification/verification-kit.js';

/** The research configuration's issuer (Google's ID tokens) and audience. */
export const GOOGLE = 'https://accounts.google.com';
export const AUDIENCE = 'https://svc.example.com';
/** An issuer with no Google rule attached (for T8 and I4). */
export const GENERIC = 'https://issuer.example.com';
/** The issuer of the definition that reads tokens only from its own `x-google-jwt-locations` (L6). */
export const CUSTOM = 'https://custom.example.com';

export const k1 = makeKey('RS256', 'k1');
export const k2 = makeKey('ES256', 'k2');
export const weak = makeKey('RS256', 'weak', { bits: 1024 });
/** k1 is published with `alg: RS256` so that A8 (PS256 on a key whose JWK says RS256) has something to contradict. */
export const researchJwks = () => [{ ...k1.jwk, alg: 'RS256' }, k2.jwk, weak.jwk];
export const certificates = makeCertificates();

/** What a row compares: status, `errorCode` and `message` (undefined members are ignored by `toEqual`). */
export interface Outcome {
  status: number;
  code?: string;
  message?: string;
}

export const OK: Outcome = { status: 200 };
/** Node refuses request headers (request line included) over 16 KiB before any Nest code runs. */
export const HEADERS_TOO_LARGE: Outcome = { status: 431 };
export const invalid = (message: string): Outcome => ({ status: 401, code: 'INVALID_TOKEN', message });
export const MISSING: Outcome = { status: 401, code: 'MISSING_TOKEN', message: 'Jwt is missing' };
export const VERIFICATION_FAILS = invalid('Jwt verification fails');
export const SECTIONS = invalid('Jwt is not in the form of Header.Payload.Signature with two dots and 3 sections');
/**
 * The main app's cap, below Node's 16 KiB head limit (the default cap, so no larger token reaches a default app): the
 * largest tokens that do reach the library then show the cap refusing them before any decoding.
 */
export const MAIN_MAX_TOKEN_BYTES = 8192;
export const TOO_LARGE = invalid(`Jwt is larger than ${MAIN_MAX_TOKEN_BYTES} bytes`);
export const EXPIRED: Outcome = { status: 401, code: 'TOKEN_EXPIRED', message: 'Jwt is expired' };
export const NOT_YET_VALID: Outcome = { status: 401, code: 'TOKEN_NOT_YET_VALID', message: 'Jwt not yet valid' };
export const UNKNOWN_ISSUER: Outcome = { status: 401, code: 'UNKNOWN_ISSUER', message: 'Jwt issuer is not configured' };
export const AUDIENCE_NOT_ALLOWED: Outcome = { status: 403, code: 'AUDIENCE_NOT_ALLOWED', message: 'Audiences in Jwt are not allowed' };
export const KEY_NOT_FOUND: Outcome = { status: 401, code: 'KEY_NOT_FOUND', message: "Jwks doesn't have key to match kid or alg from Jwt" };
export const KEYS_UNAVAILABLE: Outcome = { status: 401, code: 'KEYS_UNAVAILABLE', message: 'Jwks remote fetch is failed' };

/**
 * Only what a row compares: never the body, which could carry claims. A 431 comes from the HTTP server before any
 * Nest code runs (Node sends no body, Fastify its own JSON): its status is the whole answer.
 */
export const outcomeOf = (answer: Answer): Outcome =>
  answer.status === 431 ? { status: 431 } : { status: answer.status, code: answer.body?.errorCode, message: answer.body?.message };

/**
 * A token of `issuer` for the research audience, signed by `key` (k1 unless told); every token gets its own `jti`, so
 * no two rows share a validated-token cache entry by accident.
 */
export function token(
  key: TestKey = k1,
  overrides: Record<string, unknown> = {},
  header: Record<string, unknown> = {},
  issuer = GOOGLE,
): string {
  return signJwt(key, claims(issuer, AUDIENCE, { jti: randomUUID(), ...overrides }), header);
}

/** A compact JWS of exactly these header and payload bytes, really signed by the RS256 `key` (signJwt takes objects). */
export function signSegments(key: TestKey, header: string | Buffer, payload: string | Buffer): string {
  if (key.alg !== 'RS256') throw new Error('signSegments signs RS256 only');
  const input = `${Buffer.from(header).toString('base64url')}.${Buffer.from(payload).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), key.privateKey).toString('base64url')}`;
}

/** The claims of `token()` as JSON text, for rows that write the payload bytes themselves. */
export const claimsText = (overrides: Record<string, unknown> = {}) =>
  JSON.stringify(claims(GOOGLE, AUDIENCE, { jti: randomUUID(), ...overrides }));

/** `token` with its header segment replaced by `header` (payload and signature kept). */
export function withHeader(token: string, header: Record<string, unknown>): string {
  const [, payload, signature] = token.split('.');
  return `${segment(header)}.${payload}.${signature}`;
}

/** The order n of P-256's group: ECDSA's r and s must lie in [1, n − 1]. */
export const P256_N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

const toBigInt = (bytes: Buffer) => BigInt(`0x${bytes.toString('hex') || '0'}`);
const toBytes = (value: bigint) => Buffer.from(value.toString(16).padStart(64, '0'), 'hex');

/** An ES256 `token` with its (r, s) replaced by `change(r, s)`, re-encoded as JOSE's 64-byte r||s. */
export function withEcdsa(token: string, change: (r: bigint, s: bigint) => [bigint, bigint]): string {
  return withSignature(token, (raw) => {
    const [r, s] = change(toBigInt(raw.subarray(0, 32)), toBigInt(raw.subarray(32)));
    return Buffer.concat([toBytes(r), toBytes(s)]);
  });
}

/** The first token `make(n)` gives, for n = 0, 1, …, that is longer than `limit` bytes (bisection: make grows with n). */
export function justOver(limit: number, make: (n: number) => string): string {
  let low = 0;
  let high = 1;
  while (Buffer.byteLength(make(high)) <= limit) high *= 2;
  while (low < high) {
    const middle = Math.floor((low + high) / 2);
    if (Buffer.byteLength(make(middle)) > limit) high = middle;
    else low = middle + 1;
  }
  return make(low);
}

/** A route that needs a `custom` token (read only from `X-Custom: Token <t>`, L6). */
@Secured('custom')
@Controller('custom')
class CustomController {
  @Get() get() {
    return { ok: true };
  }
}

/** A route that takes either a `google` or a `failing` token (J13). */
@Secured('google', 'failing')
@Controller('either')
class EitherController {
  @Get() get() {
    return { ok: true };
  }
}

/** Undecorated: what it needs comes from the spec (`/open` has `security: []`, `/closed` the top level). */
@Controller()
class SpecController {
  @Get('open') open() {
    return { ok: true };
  }

  @Get('closed') closed() {
    return { ok: true };
  }
}

/** An app of one definition `own` (issuer GENERIC), alone on its key-server path, for rows that count fetches. */
export interface OwnApp {
  app: INestApplication;
  /** The secured route. */
  route: string;
  path: string;
  /** Requests the key server served on the app's path. */
  served(): number;
  /** The library's own counts of the definition. */
  counts(): ReturnType<EndpointsAuthCounters['keys']>;
  /** The clock the app's key store keeps time by: a TTL, cooldown or backoff ends when the row advances it. */
  clock: ManualClock;
}

/** Everything a row may call on one adapter. */
export class Bench {
  readonly keys = new KeyServer();
  /** A second key server, for the rows that send response headers (J10's redirect, J12's Cache-Control). */
  readonly headers = new KeyServer();
  private readonly apps = new Apps();
  private next = 0;
  /** `/google` (the research definition), `/generic`, and `/j5` … `/j11` (one JWKS per key-fetch row). */
  main!: { app: INestApplication; url: string };
  /** `/bare`: a definition whose issuer is Google's bare spelling `accounts.google.com` (I4). */
  bareUrl = '';
  /** `/custom` (custom locations), `/open`, `/closed` (spec requirements). */
  specUrl = '';

  constructor(readonly adapter: AdapterName) {}

  async start(): Promise<void> {
    await Promise.all([this.keys.start(), this.headers.start()]);
    const k = this.keys.url;
    const jwk = (key: TestKey, extra: Record<string, unknown> = {}) => ({ ...key.jwk, ...extra });
    this.keys
      .jwks('/google', researchJwks())
      .jwks('/generic', researchJwks())
      .jwks('/bare', researchJwks())
      .jwks('/custom', researchJwks())
      .jwks('/j5', [{ ...J5_PRIVATE.privateKey.export({ format: 'jwk' }), kid: J5_PRIVATE.kid, use: 'sig' }, J5_PUBLIC.jwk])
      .jwks('/j6', [{ kty: 'oct', kid: 'j6-oct', k: J6_SECRET.toString('base64url') }, k1.jwk])
      .jwks('/j7', [jwk(J7_ENC, { use: 'enc' }), jwk(J7_ENCRYPT, { key_ops: ['encrypt'] }), jwk(J7_VERIFY, { key_ops: ['verify'] })])
      .jwks('/j8', [J8_OLD.jwk, J8_NEW.jwk])
      .set('/j11', { body: { expired: certificates.expired, other: certificates.other } });
    const definition = (issuer: string, path: string): Definition => ({ issuer, jwksUri: `${k}${path}`, audiences: AUDIENCE });
    this.main = this.apps.track(
      await bootApp(this.adapter, {
        google: definition(GOOGLE, '/google'),
        generic: definition(GENERIC, '/generic'),
        j5: definition('https://j5.example.com', '/j5'),
        j6: definition('https://j6.example.com', '/j6'),
        j7: definition('https://j7.example.com', '/j7'),
        j8: definition('https://j8.example.com', '/j8'),
        j11: definition('https://j11.example.com', '/j11'),
      }, { maxTokenBytes: MAIN_MAX_TOKEN_BYTES }),
    );
    // Both Google spellings in one spec would be one issuer twice (a start-up error): the bare one has its own app.
    this.bareUrl = this.apps.track(await bootApp(this.adapter, { bare: definition('accounts.google.com', '/bare') })).url;
    this.specUrl = this.apps.track(await this.bootSpec({})).url;
  }

  async stop(): Promise<void> {
    await this.apps.closeAll();
    await Promise.all([this.keys.stop(), this.headers.stop()]);
  }

  /**
   * The app of `/custom`, `/open`, `/closed` and `/either`: the research definition `google` (required at the top
   * level), `custom` reading only `X-Custom: Token <t>`, and `failing`, whose keys come from `failing` (a route set
   * before the app boots, since every key set is fetched at start-up).
   */
  async bootSpec(options: { failing?: Route }): Promise<{ app: INestApplication; url: string }> {
    const k = this.keys.url;
    const failingPath = this.freshPath(options.failing ?? { status: 500, body: 'down' });
    const base = specOf({
      google: { issuer: GOOGLE, jwksUri: `${k}/google`, audiences: AUDIENCE },
      custom: { issuer: CUSTOM, jwksUri: `${k}/custom`, audiences: AUDIENCE },
      failing: { issuer: 'https://failing.example.com', jwksUri: `${k}${failingPath}`, audiences: AUDIENCE },
    });
    const definitions = base['securityDefinitions'] as Record<string, Record<string, unknown>>;
    definitions['custom']['x-google-jwt-locations'] = [{ header: 'X-Custom', value_prefix: 'Token ' }];
    const spec = { ...base, security: [{ google: [] }], paths: { '/open': { get: { security: [] } }, '/closed': { get: {} } } };
    return this.apps.track(await boot(this.adapter, { spec }, [CustomController, EitherController, SpecController]));
  }

  /**
   * A fresh app whose one definition `own` (issuer GENERIC) reads keys from a key-server path of its own, which
   * answers `first` from the start (the app fetches at start-up); `options` are the module's, e.g. a short key TTL.
   * Its key store keeps time by its own `ManualClock`.
   */
  async bootOwn(first: Route, options: Omit<EndpointsAuthOptions, 'spec'> = {}): Promise<OwnApp> {
    const path = this.freshPath(first);
    return this.bootOwnAt(`${this.keys.url}${path}`, path, () => this.keys.count(path), options);
  }

  /** As bootOwn, with keys at `jwksUri` on any server; `served` counts the requests that server saw. */
  async bootOwnAt(jwksUri: string, path: string, served: () => number, options: Omit<EndpointsAuthOptions, 'spec'> = {}): Promise<OwnApp> {
    const clock = new ManualClock();
    const definitions = { own: { issuer: GENERIC, jwksUri, audiences: AUDIENCE } };
    const { app, url } = this.apps.track(await bootApp(this.adapter, definitions, options, undefined, clock));
    const counters = app.get(EndpointsAuthCounters);
    return { app, route: `${url}/own`, path, served, counts: () => counters.keys('own'), clock };
  }

  /** A key-server path no other app reads, answering `route`. */
  freshPath(route: Route): string {
    const path = `/fresh-${this.next++}`;
    this.keys.set(path, route);
    return path;
  }

  /** A token of the `own` definitions (issuer GENERIC) signed by `key`. */
  ownToken(key: TestKey = k1, header: Record<string, unknown> = {}): string {
    return token(key, {}, header, GENERIC);
  }
}

/** Keys of the key-fetch rows served beside the research set (J5–J8); J11 signs with the certificates' key. */
export const J5_PRIVATE = makeKey('RS256', 'j5-private');
export const J5_PUBLIC = makeKey('RS256', 'j5-public');
export const J6_SECRET = Buffer.from('a secret a remote JWKS must never turn into an HMAC key');
export const J7_ENC = makeKey('RS256', 'j7-enc');
export const J7_ENCRYPT = makeKey('RS256', 'j7-encrypt');
export const J7_VERIFY = makeKey('RS256', 'j7-verify');
export const J8_OLD = makeKey('RS256', 'rotating');
export const J8_NEW = makeKey('RS256', 'rotating');
/** A key under the rotating kid that the JWKS does not hold. */
export const J8_STRANGER = makeKey('RS256', 'rotating');
/** The key J9's set is rotated to. */
export const J9_NEXT = makeKey('ES256', 'j9-next');
/** The key of the committed certificates (`valid`, `expired`), as a signer whose kid names a certificate. */
export const certificateSigner = (kid: string): TestKey => ({ kid, alg: 'RS256', privateKey: certificates.signer, jwk: {} });

/**
 * GETs `url` with `sent` as a bearer token (or as `?access_token=` when `where` is `query`), checks the answer does not
 * echo it, and returns its outcome.
 */
export async function send(url: string, sent: string, where: 'header' | 'query' = 'header'): Promise<Outcome> {
  const answer =
    where === 'header'
      ? await call(url, { headers: bearer(sent) })
      : await call(`${url}?access_token=${encodeURIComponent(sent)}`);
  expectNoEcho(answer, sent);
  return outcomeOf(answer);
}

/** GETs `url` with these headers and returns its outcome. */
export async function sendHeaders(url: string, headers: Record<string, string>): Promise<Outcome> {
  return outcomeOf(await call(url, { headers }));
}

/** The distinct `status code` strings of many outcomes, sorted: a flood's answers in one small value. */
export const distinct = (outcomes: Outcome[]): string[] =>
  [...new Set(outcomes.map((outcome) => `${outcome.status} ${outcome.code ?? ''}`.trim()))].sort();
