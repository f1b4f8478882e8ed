// nestjs-endpoints-auth/testing: test an app through the real guard with tokens minted for its definitions.
// First: refuses an unsupported Node with a clear message, as the main entry does.
import '../node-version.js';
export * from './endpoints-auth-testing.js';
export type { TestTokenFailure } from './test-token-failure.js';
