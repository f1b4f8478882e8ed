// Keys, claims and token signing shared by every benchmark process: an RSA-2048 (RS256) and a P-256 (ES256) key
// published in one JWKS, Google-ID-token-sized claims, and fixed-length tokens so a pool of them fits one buffer.
// Nothing here prints a token.
import { type KeyObject, createHmac, createPrivateKey, generateKeyPairSync, sign } from 'node:crypto';

/** The issuer and audience every benchmark token carries and every benchmark app accepts. */
export const ISSUER = 'https://issuer.bench.example';
export const AUDIENCE = 'https://bench-service-abcdefghij-uc.a.run.app';
export const SERVICE_HOST = 'bench-service.endpoints.bench-project.cloud.goog';

/**
 * An OpenAPI 2 document as a Cloud Endpoints service would write it, with one security definition `bench` whose
 * `x-google-jwks_uri` is `keys` (a URL, or a base64 symmetric key).
 */
export function benchSpec(keys: string, extraPaths = 0): Record<string, unknown> {
  return {
    swagger: '2.0',
    info: { title: 'bench', version: '1.0.0' },
    host: SERVICE_HOST,
    schemes: ['https'],
    securityDefinitions: {
      bench: {
        type: 'oauth2',
        authorizationUrl: '',
        flow: 'implicit',
        'x-google-issuer': ISSUER,
        'x-google-jwks_uri': keys,
        'x-google-audiences': AUDIENCE,
      },
    },
    security: [{ bench: [] }],
    paths: {
      '/hello': { get: { operationId: 'hello', responses: { '200': { description: 'ok' } } } },
      ...extraSpecPaths(extraPaths),
    },
  };
}

/**
 * `count` more paths, as a large API has them: `/r{i}/items/{item}` (half public), and every tenth with a literal
 * `/r{i}/items/special` under it, so that the table also holds routes decided per request by their parameter.
 */
function extraSpecPaths(count: number): Record<string, unknown> {
  const paths: Record<string, unknown> = {};
  for (let index = 0; index < count; index++) {
    const operation = { operationId: `item${index}`, responses: { '200': { description: 'ok' } } };
    paths[`/r${index}/items/{item}`] = { get: index % 2 === 0 ? operation : { ...operation, security: [] } };
    if (index % 10 === 0) paths[`/r${index}/items/special`] = { get: { ...operation, operationId: `special${index}` } };
  }
  return paths;
}

export type SigningAlg = 'RS256' | 'ES256';

/** A signing key and the public JWK a key server publishes for it. */
export interface BenchKey {
  alg: SigningAlg;
  kid: string;
  privateKey: KeyObject;
  jwk: Record<string, unknown>;
}

/** The two keys of a run (fresh per run: nothing secret is kept on disk). */
export interface BenchKeys {
  RS256: BenchKey;
  ES256: BenchKey;
}

export function makeKeys(): BenchKeys {
  return { RS256: makeKey('RS256', 'bench-rsa-1'), ES256: makeKey('ES256', 'bench-ec-1') };
}

/** A fresh key pair with its public JWK (`kid` as given). */
export function makeKey(alg: SigningAlg, kid: string): BenchKey {
  const pair =
    alg === 'RS256' ? generateKeyPairSync('rsa', { modulusLength: 2048 }) : generateKeyPairSync('ec', { namedCurve: 'P-256' });
  // `alg` and `use` as Google's and Firebase's JWKS publish them.
  const jwk = { ...pair.publicKey.export({ format: 'jwk' }), kid, alg, use: 'sig' };
  return { alg, kid, privateKey: pair.privateKey, jwk };
}

/** The JWKS of a run, as the key server serves it (public members only). */
export function jwksOf(keys: BenchKeys): { keys: Record<string, unknown>[] } {
  return { keys: [keys.RS256.jwk, keys.ES256.jwk] };
}

/** A private key as PKCS#8 PEM, to hand to a worker thread or child process (never printed, never written). */
export function exportPrivateKey(key: BenchKey): string {
  return key.privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
}

export function importPrivateKey(pem: string): KeyObject {
  return createPrivateKey(pem);
}

/** Width of the zero-padded `jti`: every token of a pool has the same length, so the pool is one flat buffer. */
export const JTI_DIGITS = 9;

/**
 * Claims shaped like a Google ID token for a service account (≈ 600 bytes of JSON, so an RS256 token is ≈ 930
 * characters, as in the research's measurements); `serial` makes the token distinct through `jti`.
 */
export function benchClaims(serial: number, issuedAt: number): Record<string, unknown> {
  return {
    iss: ISSUER,
    azp: '1234567890-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com',
    aud: AUDIENCE,
    sub: '110169484474386276334',
    email: 'caller-sa@bench-project-123456.iam.gserviceaccount.com',
    email_verified: true,
    iat: issuedAt,
    nbf: issuedAt - 1,
    // An hour: longer than any run, so no token expires during a measurement.
    exp: issuedAt + 3600,
    jti: String(serial).padStart(JTI_DIGITS, '0'),
    google: { compute_engine: { project_id: 'bench-project-123456', zone: 'us-central1-a', instance_name: 'bench-vm' } },
  };
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A compact JWS signed with `key` (RS256: PKCS#1 v1.5; ES256: P1363 as JWS requires). */
export function signToken(alg: SigningAlg, kid: string, privateKey: KeyObject, claims: Record<string, unknown>): string {
  const input = `${b64({ alg, kid, typ: 'JWT' })}.${b64(claims)}`;
  const data = Buffer.from(input);
  const signature =
    alg === 'ES256' ? sign('sha256', data, { key: privateKey, dsaEncoding: 'ieee-p1363' }) : sign('sha256', data, privateKey);
  return `${input}.${signature.toString('base64url')}`;
}

export function signWith(key: BenchKey, claims: Record<string, unknown>): string {
  return signToken(key.alg, key.kid, key.privateKey, claims);
}

/**
 * An HS256 token, for the memory run: a million distinct *valid* tokens in seconds, where RS256 signing would take
 * minutes. The memory run pads the claims so the token is as long as an RS256 one (the cache's cost is per character).
 */
export function signHs256(secret: Buffer, claims: Record<string, unknown>): string {
  const input = `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`;
}

/** A token with its last signature characters changed: well-formed, but its signature does not verify. */
export function tamperSignature(token: string): string {
  const cut = token.length - 8;
  const tail = token.slice(cut);
  return token.slice(0, cut) + (tail === 'AAAAAAAA' ? 'BBBBBBBB' : 'AAAAAAAA');
}
