export * from './apply-endpoints-security.js';
export type { OpenApiDocument } from './openapi-document.js';
export * from './to-endpoints-document.js';
export * from './write-endpoints-document.js';
