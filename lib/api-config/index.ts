export * from './resolved-spec.js';
export * from './spec-error.js';
export type { UsageRule } from './read-usage-rules.js';
