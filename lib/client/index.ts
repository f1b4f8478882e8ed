// client/: calling other services — tokens from a service-account key, the metadata server or the ID-token exchange.
export * from './authorization-header.js';
export * from './authorization-metadata.js';
export * from './authorized-fetch.js';
export * from './axios-authorization.js';
export * from './endpoints-client.js';
export * from './endpoints-client.module.js';
export * from './id-token-exchange-source.js';
export * from './inject-endpoints-client.decorator.js';
export * from './metadata-server-token-source.js';
export * from './service-account-key.js';
export * from './service-account-token-source.js';
export * from './sign-service-account-jwt.js';
export * from './token-source.interface.js';
