export * from './auth-error-code.js';
export * from './auth-error.js';
