import { isCookieName } from '../token/cookie-name.util.js';

/**
 * Where Firebase session cookies' keys are published: a map of X.509 certificates, the URL Firebase Admin's
 * `verifySessionCookie()` fetches.
 * @publicApi
 */
export const FIREBASE_SESSION_COOKIE_KEYS_URL = 'https://www.googleapis.com/identitytoolkit/v3/relyingparty/publicKeys';

/**
 * Options of `firebaseSessionCookieDefinition`.
 * @publicApi
 */
export interface FirebaseSessionCookieOptions {
  /** The cookie the app sets the session cookie in; `__session`, the one cookie Firebase Hosting forwards, by default. */
  cookie?: string;
}

/**
 * An OpenAPI 2 security definition, as `securityDefinitions` holds it, of a Firebase session cookie.
 * @publicApi
 */
export interface FirebaseSessionCookieDefinition {
  type: 'oauth2';
  flow: 'implicit';
  authorizationUrl: '';
  'x-google-issuer': string;
  'x-google-jwks_uri': string;
  'x-google-audiences': string;
  'x-google-jwt-locations': [{ cookie: string }];
}

/** A Firebase project ID as the console makes them: lower-case letters, digits and hyphens. */
const PROJECT_ID = /^[a-z0-9][a-z0-9-]*$/;

/**
 * The security definition that accepts the session cookies (`createSessionCookie()`) of the Firebase project
 * `projectId`, read from the cookie `options.cookie` (`__session` by default), with the issuer, keys and audience
 * Firebase Admin's `verifySessionCookie()` checks; put it into the `securityDefinitions` of the spec object passed to
 * `forRoot({ spec })`.
 * @publicApi
 */
export function firebaseSessionCookieDefinition(projectId: string, options: FirebaseSessionCookieOptions = {}): FirebaseSessionCookieDefinition {
  if (typeof projectId !== 'string' || !PROJECT_ID.test(projectId)) {
    throw new Error(
      `firebaseSessionCookieDefinition: the project ID must be a Firebase project ID (lower-case letters, digits and hyphens), got ${JSON.stringify(projectId)}`,
    );
  }
  const cookie = options.cookie ?? '__session';
  if (typeof cookie !== 'string' || !isCookieName(cookie)) {
    throw new Error(`firebaseSessionCookieDefinition: cookie must be a cookie name (letters, digits and !#$%&'*+-.^_\`|~), got ${JSON.stringify(cookie)}`);
  }
  return {
    type: 'oauth2',
    flow: 'implicit',
    authorizationUrl: '',
    'x-google-issuer': `https://session.firebase.google.com/${projectId}`,
    'x-google-jwks_uri': FIREBASE_SESSION_COOKIE_KEYS_URL,
    // Firebase Admin compares `aud` with the project ID itself.
    'x-google-audiences': projectId,
    'x-google-jwt-locations': [{ cookie }],
  };
}
