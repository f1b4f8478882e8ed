import { Inject, Injectable, Optional } from '@nestjs/common';
import type { ResolvedSpec } from '../api-config/resolved-spec.js';
import { ENDPOINTS_AUTH_SPEC } from '../endpoints-auth.constants.js';
import type { AuthError } from '../errors/auth-error.js';
import type { AuthErrorCode } from '../errors/auth-error-code.js';
import type { SecurityRequirement } from '../interfaces/requirement.interface.js';
import { OutcomeTable } from '../telemetry/outcome-table.js';
import { refusalDefinition } from '../telemetry/refusal-definition.js';

/**
 * What happened to one definition's keys since the app started.
 * @publicApi
 */
export interface KeyCounts {
  /** Fetches started (cold start, refresh, unknown-kid refetch). */
  fetches: number;
  /** Fetches that failed (error status, not a key document, timeout, too large, no usable key after a good set). */
  failures: number;
  /** Fetches started because a token named a kid the set did not have. */
  unknownKidRefetches: number;
}

/**
 * What the validated-token cache did since the app started.
 * @publicApi
 */
export interface TokenCacheCounts {
  /** Tokens found in the cache (no parse, no signature check). */
  hits: number;
  /** Tokens verified in full because they were not in the cache. */
  misses: number;
}

/**
 * How many requests were refused with one errorCode under one definition since the app started.
 * @publicApi
 */
export interface RefusalCount {
  /**
   * The definition that judged the token (its checks failed, or a token it verified failed the route's scopes, claims
   * or API key), else the route's only definition; `undefined` when neither exists (no token, or a token of an issuer
   * no alternative names, on a route with several alternatives; a route that needs only an API key).
   */
  definition: string | undefined;
  /** The `errorCode` the caller was answered with. */
  errorCode: AuthErrorCode;
  /** Refusals so far. */
  count: number;
}

/**
 * How many requests were let through under one definition since the app started.
 * @publicApi
 */
export interface PassCount {
  /** The definition that verified the caller's token; `undefined` for a caller let through without one (an optional token, an API key only). */
  definition: string | undefined;
  /** Passes so far. */
  count: number;
}

/**
 * Counters of each security definition's key store, of the validated-token cache, and of the requests each
 * definition let through or refused (every transport: HTTP, gRPC, GraphQL, WebSocket handshakes and messages), for
 * health checks, metrics and tests; one instance per module instance, injectable wherever the module is imported.
 * @publicApi
 */
@Injectable()
export class EndpointsAuthCounters {
  private readonly byDefinition = new Map<string, KeyCounts>();
  private readonly tokenCounts: TokenCacheCounts = { hits: 0, misses: 0 };
  private readonly outcomes: OutcomeTable;

  /** `spec`: the module's resolved spec, whose definitions get their counters at start-up (absent when built by hand). */
  constructor(@Optional() @Inject(ENDPOINTS_AUTH_SPEC) spec?: ResolvedSpec) {
    this.outcomes = new OutcomeTable(spec ? spec.providers.keys() : []);
  }

  /**
   * The refusals so far, one entry per definition and errorCode that refused at least once (definitions in the
   * spec's order, `undefined` first): each refused HTTP request, gRPC call, GraphQL resolver, introspection operation,
   * graphql-ws connection, WebSocket handshake and gateway message counts once.
   */
  refusals(): RefusalCount[] {
    return this.outcomes.refusals();
  }

  /** The requests let through so far on routes that require a token or an API key, one entry per definition that let one through. */
  passes(): PassCount[] {
    return this.outcomes.passes();
  }

  /** Counts one refusal with `error`'s code under the definition it is about; used where a transport refuses. */
  addRefusal(error: AuthError, requirement: SecurityRequirement | undefined): void {
    this.outcomes.refuse(refusalDefinition(error, requirement), error.code);
  }

  /** Counts one request let through under `definition` (the one that verified its token, if any); used where a transport accepts. */
  addPass(definition: string | undefined): void {
    this.outcomes.pass(definition);
  }

  /** A copy of the validated-token cache's counts. */
  tokens(): TokenCacheCounts {
    return { ...this.tokenCounts };
  }

  /** Adds one to a count of the validated-token cache; used by the authenticator. */
  addToken(count: keyof TokenCacheCounts): void {
    this.tokenCounts[count]++;
  }

  /** A copy of the counts of the definition `name` (all zero before its first fetch). */
  keys(name: string): KeyCounts {
    return { ...this.counts(name) };
  }

  /** Adds one to a count of `name`; used by the key stores. */
  add(name: string, count: keyof KeyCounts): void {
    this.counts(name)[count]++;
  }

  private counts(name: string): KeyCounts {
    let counts = this.byDefinition.get(name);
    if (!counts) this.byDefinition.set(name, (counts = { fetches: 0, failures: 0, unknownKidRefetches: 0 }));
    return counts;
  }
}
