import { AUTH_ERROR_MESSAGES, type AuthErrorCode } from './auth-error-code.js';

const FORBIDDEN_CODES: ReadonlySet<AuthErrorCode> = new Set([
  'AUDIENCE_NOT_ALLOWED',
  'FIREBASE_AUDIENCE_NOT_ALLOWED',
  'INSUFFICIENT_SCOPE',
  'CLAIMS_NOT_ALLOWED',
]);

/**
 * Why one token was refused: a stable code and ESP's message (never the token itself).
 * @publicApi
 */
export class AuthError extends Error {
  constructor(
    readonly code: AuthErrorCode,
    message: string = AUTH_ERROR_MESSAGES[code],
  ) {
    super(message);
    this.name = 'AuthError';
  }

  /**
   * 403 for the audience failures (Envoy `filter.cc` `onComplete`; the Firebase profile's exact-project one too) and for a verified token a `@Secured`'s scopes or
   * claims refuse (RFC 6750 §3.1), 401 for everything else.
   */
  get status(): 401 | 403 {
    return FORBIDDEN_CODES.has(this.code) ? 403 : 401;
  }
}

/** Shorthand for the many parse failures that share INVALID_TOKEN with their own message. */
export function invalidToken(message: string): AuthError {
  return new AuthError('INVALID_TOKEN', message);
}

/** Runs `check` and returns its `AuthError` instead of throwing it (other errors still throw). */
export function authErrorOf<T>(check: () => T): T | AuthError {
  try {
    return check();
  } catch (error) {
    if (error instanceof AuthError) return error;
    throw error;
  }
}
