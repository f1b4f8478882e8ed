export * from './resolved-spec.js';
export * from './spec-error.js';
