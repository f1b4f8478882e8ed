/**
 * A Firebase project's issuers on a key server on 127.0.0.1 (the keys Google serves for securetoken@, here as a
 * JWKS), the spec ESP users write for them, a controller that returns the claims, and token makers shaped as
 * Firebase's tokens are.
 */
import { Controller, Get } from '@nestjs/common';
import { sign } from 'node:crypto';
import { type JwtClaims, Secured, UserInfo } from '../../lib/index.js';
import { KeyServer } from '../support/key-server.js';
import { type TestKey, makeKey, nowSeconds, signJwt } from '../support/keys.js';

export const PROJECT = 'proj-a';
export const OTHER_PROJECT = 'proj-b';
export const ID_TOKEN_ISSUER = `https://securetoken.google.com/${PROJECT}`;
export const SESSION_ISSUER = `https://session.firebase.google.com/${PROJECT}`;

/** The key server and its keys: an RSA key (RS256 and, the JWK naming no alg, RS384 too) and a P-256 key. */
export interface FirebaseKeys {
  server: KeyServer;
  rsa: TestKey;
  ec: TestKey;
  jwksUri: string;
}

export async function startFirebaseKeys(): Promise<FirebaseKeys> {
  const server = await new KeyServer().start();
  const rsa = makeKey('RS256', 'fb-rsa');
  const ec = makeKey('ES256', 'fb-ec');
  server.jwks('/securetoken/jwks', [rsa.jwk, ec.jwk]);
  return { server, rsa, ec, jwksUri: `${server.url}/securetoken/jwks` };
}

/**
 * The OpenAPI 2 document: `firebase` (ID tokens) lists both projects as audiences, which ESP allows (so a token of
 * one project's issuer and the other's audience passes ESP); `session` is the session-cookie issuer; `other` is no
 * Firebase issuer.
 */
export function firebaseSpec(keys: FirebaseKeys) {
  const oauth2 = (issuer: string, audiences: string) => ({
    type: 'oauth2',
    flow: 'implicit',
    authorizationUrl: '',
    'x-google-issuer': issuer,
    'x-google-jwks_uri': keys.jwksUri,
    'x-google-audiences': audiences,
  });
  return {
    swagger: '2.0',
    info: { title: 'firebase', version: '1' },
    host: 'firebase.endpoints.test-project.cloud.goog',
    securityDefinitions: {
      firebase: oauth2(ID_TOKEN_ISSUER, `${PROJECT}, ${OTHER_PROJECT}`),
      session: oauth2(SESSION_ISSUER, PROJECT),
      other: oauth2('https://other.example.com', 'other-audience'),
      api_key: { type: 'apiKey', name: 'key', in: 'query' },
    },
    paths: {},
  };
}

@Controller()
export class ClaimsController {
  @Secured('firebase')
  @Get('me')
  me(@UserInfo() claims: JwtClaims) {
    return claims;
  }

  @Secured('session')
  @Get('session')
  session(@UserInfo() claims: JwtClaims) {
    return claims;
  }
}

/** The claims of a Firebase ID token of `issuer`, valid now; `overrides` replace or add (undefined removes). */
export function firebaseClaims(overrides: Record<string, unknown> = {}, issuer = ID_TOKEN_ISSUER): Record<string, unknown> {
  const now = nowSeconds();
  const base: Record<string, unknown> = {
    iss: issuer,
    aud: PROJECT,
    auth_time: now - 600,
    user_id: 'uid-1',
    sub: 'uid-1',
    iat: now - 60,
    exp: now + 3540,
    email: 'a@example.com',
    firebase: { identities: { email: ['a@example.com'] }, sign_in_provider: 'password' },
    ...overrides,
  };
  for (const [name, value] of Object.entries(base)) if (value === undefined) delete base[name];
  return base;
}

/** A Firebase-shaped token, signed RS256 with the RSA key, its kid in the header. */
export function firebaseToken(keys: FirebaseKeys, overrides: Record<string, unknown> = {}): string {
  return signJwt(keys.rsa, firebaseClaims(overrides));
}

/** The same, with no `kid` in the header (ESP tries the set's keys; Firebase Admin refuses it). */
export function noKidToken(keys: FirebaseKeys, overrides: Record<string, unknown> = {}): string {
  return signRsa(keys.rsa, { alg: 'RS256', typ: 'JWT' }, firebaseClaims(overrides), 'sha256');
}

/** RS384 over the same RSA key, which a JWK without `alg` allows (ESP accepts it; Firebase Admin does not). */
export function rs384Token(keys: FirebaseKeys, overrides: Record<string, unknown> = {}): string {
  return signRsa(keys.rsa, { alg: 'RS384', kid: keys.rsa.kid, typ: 'JWT' }, firebaseClaims(overrides), 'sha384');
}

/** ES256 with the P-256 key of the same key set. */
export function es256Token(keys: FirebaseKeys, overrides: Record<string, unknown> = {}): string {
  return signJwt(keys.ec, firebaseClaims(overrides));
}

function signRsa(key: TestKey, header: Record<string, unknown>, payload: Record<string, unknown>, hash: string): string {
  const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${sign(hash, Buffer.from(input), key.privateKey).toString('base64url')}`;
}
