/**
 * The bad-input list of the research (shared/research/peers.md §2.4): its 68 JWS-level cases (C1–Z3) and 21
 * HTTP/key-fetch cases (L1–J13), one table row each, named by the list's id so the two can be read side by side.
 * Every row sends its case over a real socket to a real Nest app (Express and Fastify), with real keys served from a
 * key server on 127.0.0.1, in the research configuration: issuer https://accounts.google.com whose one JWKS holds an
 * RSA-2048 `k1`, a P-256 `k2` and an RSA-1024 `weak`. A row compares only small outcome objects (status, errorCode,
 * message), never a token. The last test checks that the table still holds all 89 ids.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ADAPTERS, type AdapterName, bearer, call } from '../support/app.js';
import { claims, makeKey, nowSeconds, signJwt } from '../support/keys.js';
import { until } from '../support/manual-clock.js';
import {
  derSignature,
  expectNoEcho,
  flipBit,
  hmacJwt,
  publicPem,
  segment,
  standardAlphabetSignature,
  withSignature,
} from '../verification/verification-kit.js';
import {
  AUDIENCE,
  AUDIENCE_NOT_ALLOWED,
  Bench,
  CUSTOM,
  EXPIRED,
  GENERIC,
  GOOGLE,
  HEADERS_TOO_LARGE,
  J5_PRIVATE,
  J5_PUBLIC,
  J6_SECRET,
  J7_ENC,
  J7_ENCRYPT,
  J7_VERIFY,
  J8_NEW,
  J8_OLD,
  J8_STRANGER,
  J9_NEXT,
  KEYS_UNAVAILABLE,
  KEY_NOT_FOUND,
  MISSING,
  NOT_YET_VALID,
  OK,
  type Outcome,
  P256_N,
  SECTIONS,
  TOO_LARGE,
  UNKNOWN_ISSUER,
  VERIFICATION_FAILS,
  certificateSigner,
  certificates,
  claimsText,
  distinct,
  invalid,
  justOver,
  k1,
  k2,
  outcomeOf,
  researchJwks,
  send,
  sendHeaders,
  signSegments,
  token,
  weak,
  withEcdsa,
  withHeader,
} from './bad-inputs-kit.js';

/** A row's case: a token sent as `Authorization: Bearer` to the research definition (`/google`), or a probe of its own. */
type Build = ((bench: Bench) => string) | { probe: (bench: Bench) => Promise<unknown> };
type Row = readonly [id: string, title: string, build: Build, expected: unknown];
const probe = (run: (bench: Bench) => Promise<unknown>): Build => ({ probe: run });

const google = (bench: Bench) => `${bench.main.url}/google`;
const route = (bench: Bench, name: string) => `${bench.main.url}/${name}`;
const RS256_HEADER = JSON.stringify({ alg: 'RS256', kid: 'k1', typ: 'JWT' });
/** S4–S6: the strict base64url reader refuses the signature segment before any key is looked at. */
const BAD_BASE64URL = invalid('Jwt signature is an invalid Base64url encoded');
/** `jwt` with its signature padded by the `=` count its length needs, plus `extra`. */
const padLast = (jwt: string, extra: number) => `${jwt}${'='.repeat(((4 - (jwt.split('.')[2].length % 4)) % 4) + extra)}`;
/** An attacker's own RSA key under the research key's kid: what H1–H3 point the verifier at. */
const attacker = makeKey('RS256', 'k1');
const YEAR = 365 * 24 * 3600;
/** An RS256 token whose payload carries `nest`, nested `depth` arrays deep (Z2), validly signed by k1. */
const nested = (depth: number) =>
  signSegments(k1, RS256_HEADER, `${claimsText().slice(0, -1)},"nest":${'['.repeat(depth)}${']'.repeat(depth)}}`);
/** A valid token padded with a `pad` claim of `size` characters. */
const padded = (size: number) => token(k1, { pad: 'x'.repeat(size) });
/** GET `url` with `header` as the bearer token and `query` as `?access_token=`; neither may be echoed. */
async function sendBoth(url: string, header: string, query: string): Promise<Outcome> {
  const answer = await call(`${url}?access_token=${query}`, { headers: bearer(header) });
  expectNoEcho(answer, header);
  expectNoEcho(answer, query);
  return outcomeOf(answer);
}

const JWS_ROWS: Row[] = [
  ['C1', 'control: valid RS256', () => token(k1), OK],
  ['C2', 'control: valid ES256', () => token(k2), OK],

  // The empty third segment is refused before the alg is read (exactly three non-empty segments).
  ['A1', 'alg "none", empty signature', () => `${segment({ alg: 'none', typ: 'JWT' })}.${token().split('.')[1]}.`, SECTIONS],
  // A2/A3 keep a signature, so it is the alg check, not the empty segment, that refuses them.
  ['A2', 'alg "None" (case variant)', () => withHeader(token(), { alg: 'None', kid: 'k1', typ: 'JWT' }), invalid('Jwt header [alg] is not supported')],
  ['A3', 'alg "nOnE"', () => withHeader(token(), { alg: 'nOnE', kid: 'k1', typ: 'JWT' }), invalid('Jwt header [alg] is not supported')],
  ['A4', 'alg none, original RS256 signature kept', () => withHeader(token(), { alg: 'none', kid: 'k1', typ: 'JWT' }), invalid('Jwt header [alg] is not supported')],
  // A key from a remote JWKS never serves HS*: k1 offers only RS256, so no candidate key.
  ['A5', 'HS256 MACed with the RSA public-key PEM (key confusion)', () => hmacJwt(publicPem(k1.jwk), claims(GOOGLE, AUDIENCE), { kid: 'k1' }), KEY_NOT_FOUND],
  ['A6', 'HS256 MACed with the JWK JSON text', () => hmacJwt(JSON.stringify(researchJwks()[0]), claims(GOOGLE, AUDIENCE), { kid: 'k1' }), KEY_NOT_FOUND],
  ['A7', 'alg RS256 but kid names the EC key', () => token(k1, {}, { kid: 'k2' }), KEY_NOT_FOUND],
  ['A8', 'PS256 on the RSA key whose JWK says RS256', () => signJwt({ ...k1, alg: 'PS256' }, claims(GOOGLE, AUDIENCE)), KEY_NOT_FOUND],
  ['A9', 'alg missing', () => token(k1, {}, { alg: undefined }), invalid('Jwt header [alg] field is required and must be a string')],
  ['A10', 'alg not a string (["RS256"])', () => token(k1, {}, { alg: ['RS256'] }), invalid('Jwt header [alg] field is required and must be a string')],
  ['A11', 'alg "RS256 " (trailing space)', () => token(k1, {}, { alg: 'RS256 ' }), invalid('Jwt header [alg] is not supported')],
  // The 1024-bit key is skipped when the set is read: its kid names no key.
  ['A12', 'signed by the RSA-1024 key', () => token(weak), KEY_NOT_FOUND],

  ['E1', 'ES256 signature DER-encoded (72 bytes)', () => derSignature(token(k2)), VERIFICATION_FAILS],
  ['E2', 'ES256 r = 0, s = 0 (psychic signature)', () => withEcdsa(token(k2), () => [0n, 0n]), VERIFICATION_FAILS],
  ['E3', 'ES256 r = s = n', () => withEcdsa(token(k2), () => [P256_N, P256_N]), VERIFICATION_FAILS],
  // Policy: the other valid ECDSA signature of the same input is accepted; the token cache keys by the exact string.
  ['E4', 'ES256 high-S (s → n − s)', () => withEcdsa(token(k2), (r, s) => [r, P256_N - s]), OK],
  ['E5', 'ES256 signature of 63 bytes', () => withSignature(token(k2), (signature) => signature.subarray(0, 63)), VERIFICATION_FAILS],

  ['S1', 'RS256 signature truncated by one byte', () => withSignature(token(), (signature) => signature.subarray(0, -1)), VERIFICATION_FAILS],
  ['S2', 'RS256 signature with a leading 0x00 (257 bytes)', () => withSignature(token(), (signature) => Buffer.concat([Buffer.alloc(1), signature])), VERIFICATION_FAILS],
  ['S3', 'empty signature segment', () => `${token().split('.').slice(0, 2).join('.')}.`, SECTIONS],
  // 256 bytes make 342 base64url characters: `==` is exactly the padding base64 would add.
  // Older google-auth for Python pads every segment; absl's WebSafeBase64Unescape (ESPv2) accepts exactly that.
  [
    'S4',
    'signature with = padding: the count its length needs, one more, one inside',
    probe(async (bench) => ({
      needed: await send(google(bench), padLast(token(), 0)),
      oneMore: await send(google(bench), padLast(token(), 1)),
      inside: await send(google(bench), ((t) => `${t.slice(0, -4)}=${t.slice(-3)}`)(token())),
    })),
    { needed: OK, oneMore: BAD_BASE64URL, inside: BAD_BASE64URL },
  ],
  ['S5', 'signature in standard base64 (+ /)', () => standardAlphabetSignature(() => token()), BAD_BASE64URL],
  ['S6', 'signature plus a junk character (!)', () => `${token()}!`, BAD_BASE64URL],
  ['S7', 'signature with one bit flipped', () => flipBit(token()), VERIFICATION_FAILS],

  ['F1', 'two segments', () => token().split('.').slice(0, 2).join('.'), SECTIONS],
  ['F2', 'four segments', () => `${token()}.${segment({})}`, SECTIONS],
  [
    'F3',
    'five segments (JWE shape)',
    () => [segment({ alg: 'RSA-OAEP', enc: 'A256GCM', kid: 'k1' }), ...[256, 12, 64, 16].map((n) => randomBytes(n).toString('base64url'))].join('.'),
    SECTIONS,
  ],
  // In `Authorization` a space after `Bearer ` is skipped (L4); the query location trims nothing.
  [
    'F4',
    'leading space before the token (?access_token=%20<token>)',
    probe((bench) => send(google(bench), ` ${token()}`, 'query')),
    invalid('Jwt header is an invalid Base64url encoded'),
  ],
  // F5–F9 are validly signed by k1: only the parse can refuse them.
  ['F5', 'header not JSON', () => signSegments(k1, '{alg: RS256, kid: k1}', claimsText()), invalid('Jwt header is an invalid JSON')],
  ['F6', 'payload not JSON', () => signSegments(k1, RS256_HEADER, `iss=${GOOGLE}&aud=${AUDIENCE}`), invalid('Jwt payload is an invalid JSON')],
  ['F7', 'payload is a JSON array', () => signSegments(k1, RS256_HEADER, `[${claimsText()}]`), invalid('Jwt payload is an invalid JSON')],
  ['F8', 'payload is a JSON string', () => signSegments(k1, RS256_HEADER, JSON.stringify(claimsText())), invalid('Jwt payload is an invalid JSON')],
  [
    'F9',
    'header bytes not valid UTF-8',
    () => signSegments(k1, Buffer.concat([Buffer.from(`${RS256_HEADER.slice(0, -1)},"x":"`), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]), claimsText()),
    invalid('Jwt header is an invalid JSON'),
  ],

  ['T1', 'exp missing', () => token(k1, { exp: undefined }), invalid('Jwt payload [exp] field is required')],
  ['T2', 'exp 10 min in the past', () => token(k1, { exp: nowSeconds() - 600 }), EXPIRED],
  ['T3', 'exp as a numeric string', () => token(k1, { exp: String(nowSeconds() + 3600) }), invalid('Jwt payload [exp] field is not an integer')],
  // Policy: ESP parity, no maximum lifetime by default.
  ['T4', 'exp now + 10 years', () => token(k1, { exp: nowSeconds() + 10 * YEAR }), OK],
  ['T5', 'nbf 10 min in the future', () => token(k1, { nbf: nowSeconds() + 600 }), NOT_YET_VALID],
  // New behaviour (being implemented): an iat beyond the skew is a token not yet valid.
  ['T6', 'iat 10 min in the future', () => token(k1, { iat: nowSeconds() + 600 }), NOT_YET_VALID],
  ['T7', 'exp 30 s in the past (within the 60 s skew)', () => token(k1, { exp: nowSeconds() - 30 }), OK],
  // New behaviour (being implemented): iat is required of Google's issuers only.
  [
    'T8',
    'iat missing',
    probe(async (bench) => ({
      genericIssuer: await send(route(bench, 'generic'), token(k1, { iat: undefined }, {}, GENERIC)),
      googleIssuer: await send(google(bench), token(k1, { iat: undefined })),
    })),
    { genericIssuer: OK, googleIssuer: invalid('Jwt payload [iat] field is required') },
  ],

  ['I1', 'wrong iss', () => token(k1, { iss: 'https://evil.example.com' }), UNKNOWN_ISSUER],
  ['I2', 'iss missing', () => token(k1, { iss: undefined }), UNKNOWN_ISSUER],
  // Policy: exact match, as ESPv2.
  ['I3', 'iss with a trailing /', () => token(k1, { iss: `${GOOGLE}/` }), UNKNOWN_ISSUER],
  // New behaviour (being implemented): both of Google's spellings are one issuer, and only Google's.
  [
    'I4',
    'iss "accounts.google.com" (no scheme)',
    probe(async (bench) => ({
      googleDefinitionTakesBare: await send(google(bench), token(k1, { iss: 'accounts.google.com' })),
      bareDefinitionTakesHttps: await send(`${bench.bareUrl}/bare`, token(k1, { iss: GOOGLE })),
      bareDefinitionTakesBare: await send(`${bench.bareUrl}/bare`, token(k1, { iss: 'accounts.google.com' })),
      genericRefusesGoogleBare: await send(route(bench, 'generic'), token(k1, { iss: 'accounts.google.com' }, {}, GENERIC)),
      genericRefusesItsOwnBare: await send(route(bench, 'generic'), token(k1, { iss: 'issuer.example.com' }, {}, GENERIC)),
    })),
    {
      googleDefinitionTakesBare: OK,
      bareDefinitionTakesHttps: OK,
      bareDefinitionTakesBare: OK,
      genericRefusesGoogleBare: UNKNOWN_ISSUER,
      genericRefusesItsOwnBare: UNKNOWN_ISSUER,
    },
  ],

  ['U1', 'wrong aud', () => token(k1, { aud: 'https://other.example.com' }), AUDIENCE_NOT_ALLOWED],
  ['U2', 'aud array containing the configured value', () => token(k1, { aud: ['https://other.example.com', AUDIENCE] }), OK],
  ['U3', 'aud missing', () => token(k1, { aud: undefined }), AUDIENCE_NOT_ALLOWED],
  ['U4', 'aud a number', () => token(k1, { aud: 42 }), invalid('Jwt payload [aud] field is not a string or string list')],

  // The unknown-kid cooldown (30 s) counts from the start-up fetch, a few seconds ago: no refetch at all here
  // (J1 shows the one refetch per cooldown).
  [
    'K1',
    'unknown kid',
    probe(async (bench) => {
      const { keys } = bench;
      const before = keys.count('/google');
      const answers = [];
      for (let i = 0; i < 3; i++) answers.push(await send(google(bench), token(k1, {}, { kid: `k-${randomUUID()}` })));
      return { answers, refetches: keys.count('/google') - before };
    }),
    { answers: [KEY_NOT_FOUND, KEY_NOT_FOUND, KEY_NOT_FOUND], refetches: 0 },
  ],
  ['K2', 'kid "__proto__"', () => token(k1, {}, { kid: '__proto__' }), KEY_NOT_FOUND],
  ['K3', 'kid "constructor"', () => token(k1, {}, { kid: 'constructor' }), KEY_NOT_FOUND],
  ['K4', 'kid "toString"', () => token(k1, {}, { kid: 'toString' }), KEY_NOT_FOUND],
  ['K5', 'kid a number', () => token(k1, {}, { kid: 1 }), invalid('Jwt header [kid] field is not a string')],
  ['K6', 'kid an object', () => token(k1, {}, { kid: { id: 'k1' } }), invalid('Jwt header [kid] field is not a string')],
  ['K7', 'kid "../../../../dev/null"', () => token(k1, {}, { kid: '../../../../dev/null' }), KEY_NOT_FOUND],
  // Policy: only keys whose type and alg fit are tried; for RS256 that is k1 alone (weak was skipped).
  ['K8', 'kid missing, one matching key', () => token(k1, {}, { kid: undefined }), OK],

  // H1–H3: the attacker signs with its own key under kid k1; the verifier must use the JWKS, and never fetch the URL.
  [
    'H1',
    'jku → attacker JWKS, attacker-signed',
    probe(async (bench) => {
      const path = bench.freshPath({ body: { keys: [attacker.jwk] } });
      const answer = await send(google(bench), token(attacker, {}, { jku: `${bench.keys.url}${path}` }));
      return { answer, jkuFetches: bench.keys.count(path) };
    }),
    { answer: VERIFICATION_FAILS, jkuFetches: 0 },
  ],
  ['H2', 'embedded jwk with the attacker key', () => token(attacker, {}, { jwk: attacker.jwk }), VERIFICATION_FAILS],
  [
    'H3',
    'x5u → attacker certificate, attacker-signed',
    probe(async (bench) => {
      const path = bench.freshPath({ body: certificates.valid, contentType: 'application/x-pem-file' });
      const answer = await send(google(bench), token(certificateSigner('k1'), {}, { x5u: `${bench.keys.url}${path}` }));
      return { answer, x5uFetches: bench.keys.count(path) };
    }),
    { answer: VERIFICATION_FAILS, x5uFetches: 0 },
  ],
  ['H4', 'crit ["x-unknown"], validly signed', () => token(k1, {}, { crit: ['x-unknown'], 'x-unknown': true }), invalid('Jwt header [crit] is not supported')],
  ['H5', 'b64: false with crit ["b64"]', () => token(k1, {}, { b64: false, crit: ['b64'] }), invalid('Jwt header [crit] is not supported')],
  // Policy: JSON.parse keeps the last member, and the signature covers the bytes as sent.
  ['H6', 'duplicate alg members in the header JSON', () => signSegments(k1, '{"alg":"none","kid":"k1","alg":"RS256","typ":"JWT"}', claimsText()), OK],

  // Z1–Z3 as the list builds them are far over Node's 16 KiB header limit (431 before any guard); the second case of
  // each is the largest that reaches the library, refused by the main app's maxTokenBytes (8192) before decoding.
  [
    'Z1',
    '1 MB token, validly signed',
    probe(async (bench) => ({
      oneMegabyteInAuthorization: await send(google(bench), padded(1_000_000)),
      justOver8192Bytes: await send(google(bench), justOver(8192, padded)),
    })),
    { oneMegabyteInAuthorization: HEADERS_TOO_LARGE, justOver8192Bytes: TOO_LARGE },
  ],
  [
    'Z2',
    'payload nested 100k arrays deep, validly signed',
    probe(async (bench) => ({
      depth100kInAuthorization: await send(google(bench), nested(100_000)),
      justOver8192Bytes: await send(google(bench), justOver(8192, nested)),
      // "must not crash": the app still answers.
      thenAValidToken: await send(google(bench), token()),
    })),
    { depth100kInAuthorization: HEADERS_TOO_LARGE, justOver8192Bytes: TOO_LARGE, thenAValidToken: OK },
  ],
  [
    'Z3',
    'aud array of 100k entries',
    probe(async (bench) => {
      const audiences = (n: number) => token(k1, { aud: [AUDIENCE, ...Array<string>(n).fill('a')] });
      return {
        entries100kInAuthorization: await send(google(bench), audiences(100_000)),
        justOver8192Bytes: await send(google(bench), justOver(8192, audiences)),
      };
    }),
    { entries100kInAuthorization: HEADERS_TOO_LARGE, justOver8192Bytes: TOO_LARGE },
  ],
];

const HTTP_ROWS: Row[] = [
  ['L1', 'no credentials', probe((bench) => sendHeaders(google(bench), {})), MISSING],
  // fetch (and Node's parser) drop the trailing space: `Bearer` alone does not carry the `Bearer ` prefix.
  ['L2', 'Authorization: Bearer with an empty token', probe((bench) => sendHeaders(google(bench), { authorization: 'Bearer ' })), MISSING],
  // RFC 7235 §2.1: the scheme is case-insensitive (Cloud Run's Python sample sends `bearer`).
  ['L3', 'authorization: bearer <t> (lower-case scheme)', probe((bench) => sendHeaders(google(bench), { authorization: `bearer ${token()}` })), OK],
  // Envoy skips to the first token character after the prefix.
  ['L4', 'Authorization: Bearer  <t> (double space)', probe((bench) => sendHeaders(google(bench), { authorization: `Bearer  ${token()}` })), OK],
  // Envoy: every token found must verify.
  [
    'L5',
    'tokens in both the header and ?access_token, different values',
    probe(async (bench) => ({
      badInQuery: await sendBoth(google(bench), token(), flipBit(token())),
      badInHeader: await sendBoth(google(bench), flipBit(token()), token()),
      bothValid: await sendBoth(google(bench), token(), token()),
    })),
    { badInQuery: VERIFICATION_FAILS, badInHeader: VERIFICATION_FAILS, bothValid: OK },
  ],
  [
    'L6',
    'token only in X-Goog-Iap-Jwt-Assertion while custom x-google-jwt-locations exist',
    probe(async (bench) => {
      const custom = `${bench.specUrl}/custom`;
      const sent = () => token(k1, {}, {}, CUSTOM);
      return {
        iapHeader: await sendHeaders(custom, { 'x-goog-iap-jwt-assertion': sent() }),
        authorizationBearer: await sendHeaders(custom, bearer(sent())),
        configuredHeader: await sendHeaders(custom, { 'x-custom': `Token ${sent()}` }),
      };
    }),
    { iapHeader: MISSING, authorizationBearer: MISSING, configuredHeader: OK },
  ],
  [
    'L7',
    'token over 16 KiB in a header; the query location obeys the size cap',
    probe(async (bench) => ({
      over16KiBInAuthorization: await send(google(bench), padded(17 * 1024)),
      over8192BytesInQuery: await send(google(bench), justOver(8192, padded), 'query'),
    })),
    { over16KiBInAuthorization: HEADERS_TOO_LARGE, over8192BytesInQuery: TOO_LARGE },
  ],
  // ESP: an operation that requires nothing is not checked, whatever the request carries.
  [
    'L8',
    'operation without a security requirement called with a bad token',
    probe(async (bench) => {
      const bad = flipBit(token());
      return { open: await send(`${bench.specUrl}/open`, bad), closedWithTheSameToken: await send(`${bench.specUrl}/closed`, bad) };
    }),
    { open: OK, closedWithTheSameToken: VERIFICATION_FAILS },
  ],

  [
    'J1',
    'unknown-kid flood (200 random kids)',
    probe(async (bench) => {
      const flood = async (route: string) =>
        distinct(await Promise.all(Array.from({ length: 200 }, () => send(route, bench.ownToken(k1, { kid: randomUUID() })))));
      // The default 30 s cooldown counts from the start-up fetch: a flood right after it fetches nothing.
      const withinCooldown = async () => {
        const own = await bench.bootOwn({ body: { keys: [k1.jwk] } });
        const first = await send(own.route, bench.ownToken());
        return { first, answers: await flood(own.route), fetches: own.served() };
      };
      // With a 2 s cooldown, a flood once it is over causes exactly one refetch (the app's clock stands still during it).
      const afterCooldown = async () => {
        const own = await bench.bootOwn({ body: { keys: [k1.jwk] } }, { keyCache: { unknownKidCooldownSeconds: 2 } });
        const first = await send(own.route, bench.ownToken());
        own.clock.advance(2000);
        return { first, answers: await flood(own.route), fetches: own.served() };
      };
      const [within, after] = await Promise.all([withinCooldown(), afterCooldown()]);
      return { withinCooldown: within, afterCooldown: after };
    }),
    {
      withinCooldown: { first: OK, answers: ['401 KEY_NOT_FOUND'], fetches: 1 },
      afterCooldown: { first: OK, answers: ['401 KEY_NOT_FOUND'], fetches: 2 },
    },
  ],
  [
    'J2',
    'cold-start stampede (100 concurrent valid tokens)',
    probe(async (bench) => {
      // The start-up fetch takes 2 s: the 100 requests all arrive while there are no keys yet.
      const own = await bench.bootOwn({ body: { keys: [k1.jwk] }, delayMs: 2000 });
      const answers = await Promise.all(Array.from({ length: 100 }, () => send(own.route, bench.ownToken())));
      return { answers: distinct(answers), fetches: own.served() };
    }),
    { answers: ['200'], fetches: 1 },
  ],
  [
    'J3',
    'key endpoint answers 500 after the TTL',
    probe(async (bench) => {
      const own = await bench.bootOwn({ body: { keys: [k1.jwk] } }, { keyCache: { ttlSeconds: 1, staleGraceSeconds: 60 } });
      const before = await send(own.route, bench.ownToken());
      bench.keys.set(own.path, { status: 500, body: 'down' });
      own.clock.advance(1000); // the TTL is over: the background refresh fails
      await until(() => own.counts().failures === 1, 'J3 refresh fails');
      const withStaleKeys = await send(own.route, bench.ownToken());
      const fetchesByRequests = own.served() - 2;
      // The failed refresh is retried in the background (after 1 s), not by a request.
      own.clock.advance(1000);
      await until(() => own.counts().failures === 2, 'J3 retry fails');
      return { before, withStaleKeys, fetchesByRequests, afterTheRetryFailedToo: await send(own.route, bench.ownToken()) };
    }),
    { before: OK, withStaleKeys: OK, fetchesByRequests: 0, afterTheRetryFailedToo: OK },
  ],
  [
    'J4',
    'key endpoint returns HTML, invalid JSON, 10 MB or never answers',
    probe(async (bench) => {
      const cases = {
        html: [{ body: '<!doctype html><html><body>Sign in</body></html>', contentType: 'text/html' }, {}],
        invalidJson: [{ body: '{"keys": [{"kty": "RSA",' }, {}],
        // A JWKS that would verify if it were read whole: only the 1 MiB cap refuses it.
        tenMegabytes: [{ body: { keys: [k1.jwk], padding: 'x'.repeat(10 * 1024 * 1024) } }, {}],
        // A JWKS that would verify if it arrived: only the fetch timeout refuses it. 30 s, so that on a loaded machine
        // the start-up fetch (answered at once) is never the one that times out.
        neverAnswers: [{ body: { keys: [k1.jwk] }, delayMs: 60_000 }, { fetchTimeoutMs: 30_000 }],
      } as const;
      const results = await Promise.all(
        Object.entries(cases).map(async ([name, [failure, keyCache]]) => {
          const own = await bench.bootOwn({ body: { keys: [k1.jwk] } }, { keyCache: { ttlSeconds: 1, staleGraceSeconds: 60, ...keyCache } });
          const before = await send(own.route, bench.ownToken());
          bench.keys.set(own.path, failure);
          own.clock.advance(1000); // the TTL is over: the background refresh meets the bad answer
          await until(() => own.counts().failures === 1, `J4 ${name} refresh fails`);
          const withOldKeys = await send(own.route, bench.ownToken());
          // The request was answered from the old keys without a fetch of its own to wait for.
          return [name, { before, withOldKeys, fetchesByTheRequest: own.served() - 2 }] as const;
        }),
      );
      return Object.fromEntries(results);
    }),
    Object.fromEntries(
      ['html', 'invalidJson', 'tenMegabytes', 'neverAnswers'].map((name) => [name, { before: OK, withOldKeys: OK, fetchesByTheRequest: 0 }]),
    ),
  ],
  [
    'J5',
    'JWKS member with a private part (d)',
    probe(async (bench) => ({
      privateMember: await send(route(bench, 'j5'), token(J5_PRIVATE, {}, {}, 'https://j5.example.com')),
      publicKeyBesideIt: await send(route(bench, 'j5'), token(J5_PUBLIC, {}, {}, 'https://j5.example.com')),
    })),
    { privateMember: KEY_NOT_FOUND, publicKeyBesideIt: OK },
  ],
  [
    'J6',
    'JWKS kty "oct" from a remote URL',
    probe(async (bench) => {
      const payload = claims('https://j6.example.com', AUDIENCE);
      return {
        hs256WithItsKid: await send(route(bench, 'j6'), hmacJwt(J6_SECRET, payload, { kid: 'j6-oct' })),
        hs256WithoutKid: await send(route(bench, 'j6'), hmacJwt(J6_SECRET, payload, {})),
        rsaKeyBesideIt: await send(route(bench, 'j6'), token(k1, {}, {}, 'https://j6.example.com')),
      };
    }),
    { hs256WithItsKid: KEY_NOT_FOUND, hs256WithoutKid: KEY_NOT_FOUND, rsaKeyBesideIt: OK },
  ],
  [
    'J7',
    'JWKS key with use "enc" or key_ops without "verify"',
    probe(async (bench) => {
      const j7 = (key: typeof J7_ENC) => send(route(bench, 'j7'), token(key, {}, {}, 'https://j7.example.com'));
      return { useEnc: await j7(J7_ENC), keyOpsEncrypt: await j7(J7_ENCRYPT), keyOpsVerify: await j7(J7_VERIFY) };
    }),
    { useEnc: KEY_NOT_FOUND, keyOpsEncrypt: KEY_NOT_FOUND, keyOpsVerify: OK },
  ],
  [
    'J8',
    'duplicate kid in the JWKS (rotation overlap)',
    probe(async (bench) => {
      const j8 = (key: typeof J8_OLD) => send(route(bench, 'j8'), token(key, {}, {}, 'https://j8.example.com'));
      return { oldKey: await j8(J8_OLD), newKey: await j8(J8_NEW), strangerWithThatKid: await j8(J8_STRANGER) };
    }),
    { oldKey: OK, newKey: OK, strangerWithThatKid: VERIFICATION_FAILS },
  ],
  [
    'J9',
    'key removed from the JWKS',
    probe(async (bench) => {
      const own = await bench.bootOwn({ body: { keys: [k1.jwk] } }, { keyCache: { ttlSeconds: 1 } });
      const kept = bench.ownToken(k1);
      const before = await send(own.route, kept); // now in the validated-token cache
      bench.keys.jwks(own.path, [J9_NEXT.jwk]);
      own.clock.advance(800); // the background refresh, in the TTL's last fifth
      await until(() => own.served() === 2, 'J9 refresh');
      // The refresh has landed once the new key verifies (the unknown-kid cooldown keeps requests from fetching).
      await vi.waitFor(async () => expect((await send(own.route, bench.ownToken(J9_NEXT))).status).toBe(200), { timeout: 15_000, interval: 100 });
      return { before, sameTokenAfterRefresh: await send(own.route, kept) };
    }),
    { before: OK, sameTokenAfterRefresh: KEY_NOT_FOUND },
  ],
  [
    'J10',
    'jwks_uri redirects to another origin',
    probe(async (bench) => {
      const target = bench.freshPath({ body: { keys: [k1.jwk] } });
      const path = '/j10-redirect';
      bench.headers.set(path, { status: 302, headers: { location: `${bench.keys.url}${target}` }, body: '' });
      const own = await bench.bootOwnAt(`${bench.headers.url}${path}`, path, () => bench.headers.count(path));
      const answer = await send(own.route, bench.ownToken());
      return { answer, redirectServed: own.served() > 0, targetFetches: bench.keys.count(target) };
    }),
    { answer: KEYS_UNAVAILABLE, redirectServed: true, targetFetches: 0 },
  ],
  [
    'J11',
    'X.509 map with an expired certificate',
    probe((bench) => send(route(bench, 'j11'), token(certificateSigner('expired'), {}, {}, 'https://j11.example.com'))),
    OK,
  ],
  [
    'J12',
    'Cache-Control max-age=0, missing, or huge',
    probe(async (bench) => {
      const jwks = { keys: [k1.jwk] };
      const withHeader = async (name: string, cacheControl: string | undefined, ttlSeconds?: number) => {
        const path = `/j12-${name}`;
        bench.headers.set(path, { headers: cacheControl ? { 'cache-control': cacheControl } : {}, body: jwks });
        const options = ttlSeconds ? { keyCache: { ttlSeconds } } : {};
        return bench.bootOwnAt(`${bench.headers.url}${path}`, path, () => bench.headers.count(path), options);
      };
      // max-age=0 and no header: a second request a minute later, within the fixed 300 s TTL, fetches nothing.
      const twice = async (name: string, cacheControl: string | undefined) => {
        const own = await withHeader(name, cacheControl);
        const answers = [await send(own.route, bench.ownToken())];
        own.clock.advance(60_000);
        answers.push(await send(own.route, bench.ownToken()));
        return { answers, fetches: own.served() };
      };
      // A year's max-age does not stretch the TTL: with ttlSeconds 1, the set is fetched again within the second.
      const huge = await withHeader('huge', 'public, max-age=31536000', 1);
      const hugeFirst = await send(huge.route, bench.ownToken());
      huge.clock.advance(1000);
      await until(() => huge.served() >= 2, 'J12 refresh at the TTL');
      return {
        maxAgeZero: await twice('zero', 'max-age=0'),
        noCacheControl: await twice('none', undefined),
        hugeMaxAge: { first: hugeFirst, refetchedAtTheTtl: huge.served() >= 2 },
      };
    }),
    {
      maxAgeZero: { answers: [OK, OK], fetches: 1 },
      noCacheControl: { answers: [OK, OK], fetches: 1 },
      hugeMaxAge: { first: OK, refetchedAtTheTtl: true },
    },
  ],
  [
    'J13',
    'several tokens while one JWKS fetch fails (Envoy CVE-2025-64527 shape)',
    probe(async (bench) => {
      // `failing`'s start-up fetch answers 500 after 600 ms: every request below waits on it, then gets its own answer.
      const { url } = await bench.bootSpec({ failing: { status: 500, body: 'down', delayMs: 600 } });
      const either = `${url}/either`;
      const failingToken = () => token(k1, {}, {}, 'https://failing.example.com');
      const many = (one: () => Promise<Outcome>) => Promise.all(Array.from({ length: 10 }, one));
      const [googleOnly, failingOnly, both] = await Promise.all([
        many(() => send(either, token())),
        many(() => send(either, failingToken())),
        many(() => sendBoth(either, token(), failingToken())),
      ]);
      return {
        googleOnly: distinct(googleOnly),
        failingOnly: distinct(failingOnly),
        bothTokens: distinct(both),
        afterwards: await send(either, token()),
      };
    }),
    { googleOnly: ['200'], failingOnly: ['401 KEYS_UNAVAILABLE'], bothTokens: ['401 KEYS_UNAVAILABLE'], afterwards: OK },
  ],
];

const ROWS: Row[] = [...JWS_ROWS, ...HTTP_ROWS];

/** The ids of peers.md §2.4, in its order: `prefix` followed by 1 … count. */
const ids = (...groups: [prefix: string, count: number][]) =>
  groups.flatMap(([prefix, count]) => Array.from({ length: count }, (_, i) => `${prefix}${i + 1}`));
const JWS_IDS = ids(['C', 2], ['A', 12], ['E', 5], ['S', 7], ['F', 9], ['T', 8], ['I', 4], ['U', 4], ['K', 8], ['H', 6], ['Z', 3]);
const HTTP_IDS = ids(['L', 8], ['J', 13]);

// Rows such as J1 (two floods of 200 signed tokens) take seconds on a loaded machine: the timeout is a safety net; what a
// row counts depends on its app's ManualClock, not on speed.
vi.setConfig({ testTimeout: 120_000 });

// The two adapters run side by side (each with its own key servers and apps); within one, the rows run in order.
describe.concurrent.each(ADAPTERS)('the bad-input list (peers.md §2.4) on %s', (adapter: AdapterName) => {
  const bench = new Bench(adapter);

  beforeAll(() => bench.start());
  afterAll(() => bench.stop());

  it.sequential.each(ROWS)('%s %s', async (_id, _title, build, expected) => {
    const actual = typeof build === 'function' ? await send(google(bench), build(bench)) : await build.probe(bench);
    expect(actual).toEqual(expected);
  });
});

describe('the table', () => {
  it('holds exactly the 68 JWS ids and the 21 HTTP/key-fetch ids of peers.md §2.4, each once, in the list’s order', () => {
    expect(JWS_IDS).toHaveLength(68);
    expect(HTTP_IDS).toHaveLength(21);
    expect(JWS_ROWS.map(([id]) => id)).toEqual(JWS_IDS);
    expect(HTTP_ROWS.map(([id]) => id)).toEqual(HTTP_IDS);
    expect(new Set(ROWS.map(([id]) => id)).size).toBe(89);
  });
});
