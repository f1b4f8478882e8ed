import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';

/** One operation of the spec that carries its own `security`, keyed by method and canonical path. */
export interface SpecOperation {
  /** Upper-case HTTP method. */
  method: string;
  /** The path as written in the spec, for messages. */
  path: string;
  /** Canonical paths the operation answers to: as written, and under the spec's base path. */
  canonicalPaths: string[];
  /** The same paths as patterns, for adapters that do not expose the matched route's template. */
  patterns: RegExp[];
  requirement: SecurityRequirement;
}

/**
 * Everything the module needs from the spec, read once at start-up.
 * @publicApi
 */
export interface ResolvedSpec {
  /** The file path, or "spec object". */
  source: string;
  providers: ReadonlyMap<string, EndpointsProvider>;
  /** Definitions that are valid in `security` but carry no issuer (apiKey): they never authenticate a JWT. */
  nonJwt: ReadonlySet<string>;
  /** The document's top-level `security`, when it has one. */
  apiRequirement?: SecurityRequirement;
  operations: SpecOperation[];
}
