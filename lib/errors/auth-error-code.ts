/**
 * Stable codes of authentication failures, sent as `errorCode` in the response body.
 * @publicApi
 */
export type AuthErrorCode =
  | 'MISSING_TOKEN'
  | 'INVALID_TOKEN'
  | 'TOKEN_EXPIRED'
  | 'TOKEN_NOT_YET_VALID'
  | 'UNKNOWN_ISSUER'
  | 'AUDIENCE_NOT_ALLOWED'
  | 'KEY_NOT_FOUND'
  | 'KEYS_UNAVAILABLE'
  | 'UNSUPPORTED_CONTEXT'
  | 'API_KEY_MISSING'
  | 'API_KEY_INVALID'
  | 'INSUFFICIENT_SCOPE'
  | 'CLAIMS_NOT_ALLOWED'
  | 'FIREBASE_TOKEN_INVALID'
  | 'FIREBASE_AUDIENCE_NOT_ALLOWED'
  | 'TENANT_NOT_ALLOWED'
  | 'TOKEN_REVOKED'
  | 'REVOCATION_UNAVAILABLE';

/**
 * ESPv2's message for each code (jwt_verify_lib `getStatusString`; the API_KEY ones are Service Control's);
 * INVALID_TOKEN carries a more precise one. ESP has no scope or claim check: those two are worded like its audience one;
 * the Firebase profile's (docs/firebase.md) are worded like ESP's, FIREBASE_TOKEN_INVALID with a more precise one too.
 */
export const AUTH_ERROR_MESSAGES: Record<AuthErrorCode, string> = {
  MISSING_TOKEN: 'Jwt is missing',
  INVALID_TOKEN: 'Jwt verification fails',
  TOKEN_EXPIRED: 'Jwt is expired',
  TOKEN_NOT_YET_VALID: 'Jwt not yet valid',
  UNKNOWN_ISSUER: 'Jwt issuer is not configured',
  AUDIENCE_NOT_ALLOWED: 'Audiences in Jwt are not allowed',
  KEY_NOT_FOUND: "Jwks doesn't have key to match kid or alg from Jwt",
  KEYS_UNAVAILABLE: 'Jwks remote fetch is failed',
  UNSUPPORTED_CONTEXT: 'Jwt cannot be read from this context',
  API_KEY_MISSING:
    "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
  API_KEY_INVALID: 'API key not valid. Please pass a valid API key.',
  INSUFFICIENT_SCOPE: 'Scopes in Jwt are insufficient',
  CLAIMS_NOT_ALLOWED: 'Claims in Jwt are not allowed',
  FIREBASE_TOKEN_INVALID: 'Jwt is not a valid Firebase token',
  FIREBASE_AUDIENCE_NOT_ALLOWED: 'Audience in Jwt is not the Firebase project',
  TENANT_NOT_ALLOWED: 'Tenant in Jwt is not allowed',
  TOKEN_REVOKED: 'Jwt has been revoked',
  REVOCATION_UNAVAILABLE: 'Jwt revocation check is failed',
};
