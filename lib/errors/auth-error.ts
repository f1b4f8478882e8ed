import { AUTH_ERROR_MESSAGES, type AuthErrorCode } from './auth-error-code.js';

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

  /** 403 for the audience failure only, 401 for everything else (Envoy `filter.cc` `onComplete`). */
  get status(): 401 | 403 {
    return this.code === 'AUDIENCE_NOT_ALLOWED' ? 403 : 401;
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
