import { Injectable } from '@nestjs/common';

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
 * Counters of each security definition's key store and of the validated-token cache, for health checks, metrics and tests; one instance per module
 * instance, injectable wherever the module is imported.
 * @publicApi
 */
@Injectable()
export class EndpointsAuthCounters {
  private readonly byDefinition = new Map<string, KeyCounts>();
  private readonly tokenCounts: TokenCacheCounts = { hits: 0, misses: 0 };

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
