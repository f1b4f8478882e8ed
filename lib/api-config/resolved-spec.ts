import type { ApiKeyLocation } from '../interfaces/api-keys.interface.js';
import type { EndpointsProvider } from '../interfaces/provider.interface.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import type { UsageRule } from './read-usage-rules.js';

/**
 * One path of the spec's `paths` and what each listed method requires, ready to match request URLs against.
 * @publicApi
 */
export interface SpecPath {
  /** The path as written in the spec, for messages. */
  path: string;
  /** The path as written and under the spec's base path: the templates routes and requests are matched against. */
  templates: readonly string[];
  /**
   * Each listed method (upper case) and its own `security` and `x-security`; `undefined` when the operation has
   * neither, so the API level applies.
   */
  methods: ReadonlyMap<string, SecurityRequirement | undefined>;
  /** For a path read from a service config's `http.rules`: the method each HTTP method maps to, by HTTP method. */
  selectors?: ReadonlyMap<string, string>;
}

/**
 * One rule of a gRPC service configuration's `authentication.rules`: the methods its selector names and what they
 * require.
 * @publicApi
 */
export interface ConfigRule {
  /** The selector as written, for messages. */
  selector: string;
  /** Its comma-separated patterns: `*`, `pkg.Service.*` or a full method name. */
  patterns: readonly string[];
  /** What the methods require; no providers when the rule has no `requirements` (no auth). */
  requirement: SecurityRequirement;
}

/**
 * Everything the module needs from the spec, read once at start-up.
 * @publicApi
 */
export interface ResolvedSpec {
  /** The file path, or "spec object". */
  source: string;
  /** The service name: the `serviceName` option, else the spec's `host` (OpenAPI 3: its `x-google-endpoint` server), a service config's `name`. */
  serviceName?: string;
  /** The JWT definitions by name. */
  providers: ReadonlyMap<string, EndpointsProvider>;
  /** Definitions that are valid in `security` but carry no issuer (apiKey): they never authenticate a JWT. */
  nonJwt: ReadonlySet<string>;
  /** The apiKey definitions (among `nonJwt`) and where each reads its key; empty for a service configuration. */
  apiKeys?: ReadonlyMap<string, readonly ApiKeyLocation[]>;
  /** The document's top-level `security` and `x-security`, when it has either; for a service config, what its `*` rule requires. */
  apiRequirement?: SecurityRequirement;
  /**
   * Every path of the spec, most specific first (literal segments before variables before wildcards, as ESP); for a
   * service config, the path templates of its `http.rules`.
   */
  paths: SpecPath[];
  /** A gRPC service configuration's `authentication.rules`, in order (the last match wins); empty for OpenAPI. */
  rules: readonly ConfigRule[];
  /**
   * A service configuration's `usage.rules` (which methods may be called without an API key), when it runs behind
   * Service Control (it has `usage` or `control`); absent otherwise, and once `apiKeys: 'unchecked'` drops them.
   */
  usage?: readonly UsageRule[];
}
