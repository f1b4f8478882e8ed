export * from './api-keys.interface.js';
export * from './endpoints-auth-options.interface.js';
export * from './jwt-claims.interface.js';
export * from './provider.interface.js';
export * from './requirement.interface.js';
export * from './route-security.interface.js';
