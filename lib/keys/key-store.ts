import { Logger } from '@nestjs/common';
import { AuthError } from '../errors/auth-error.js';
import { errorReason } from './error-reason.util.js';
import { type KeyClock, SYSTEM_KEY_CLOCK } from './key-clock.js';
import type { EndpointsAuthCounters } from './key-counters.js';
import { keyIdentity } from './key-identity.js';
import type { KeyLoader } from './key-loader.js';
import type { KeyRecord } from './key-record.interface.js';
import type { KeySet } from './key-set.interface.js';
import { type KeyFetchTracing, endKeyFetchSpan, startKeyFetchSpan } from '../telemetry/key-fetch-span.js';

/** How the store caches, refreshes and falls back; all in milliseconds. */
export interface KeyStorePolicy {
  ttlMs: number;
  /** How long keys keep serving, counted from the first failed refresh, while refreshes fail. */
  staleGraceMs: number;
  /** The least time between a fetch and a refetch caused by an unknown kid. */
  unknownKidCooldownMs: number;
}

/** The first retry after a failed fetch (ESPv2 retries every second); doubled per failure up to the cap. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/**
 * The keys of one security definition. A timer refreshes them shortly before the TTL ends (ESPv2: 5 s before), so
 * requests never wait on a refresh; one fetch at a time; a failed refresh keeps the previous keys for the grace
 * period and is retried with backoff; a token with an unknown kid may trigger one refetch per cooldown.
 */
export class KeyStore implements KeySet {
  private readonly logger = new Logger('EndpointsAuthKeys');
  private readonly removalListeners: ((removed: ReadonlySet<KeyRecord>) => void)[] = [];
  private keys?: KeyRecord[];
  /** The records of `keys` by `keyIdentity`, so a refresh finds an unchanged key's record in one look-up. */
  private byIdentity = new Map<string, KeyRecord>();
  private freshUntil = 0;
  /** When the first refresh failed since the last success; the grace period counts from here. */
  private failingSince?: number;
  private retryAt = 0;
  private failuresInRow = 0;
  private lastFetchStart = Number.NEGATIVE_INFINITY;
  private inflight?: Promise<void>;
  private cancelTimer?: () => void;
  private closed = false;

  constructor(
    private readonly name: string,
    private readonly load: KeyLoader,
    private readonly policy: KeyStorePolicy,
    private readonly counters: EndpointsAuthCounters,
    private readonly clock: KeyClock = SYSTEM_KEY_CLOCK,
    /** Where fetches are traced to; absent when tracing is off or `@opentelemetry/api` is not installed. */
    private readonly tracing?: KeyFetchTracing,
  ) {}

  /** The keys to verify with now; throws `KEYS_UNAVAILABLE` when there are none to use. */
  async getKeys(): Promise<readonly KeyRecord[]> {
    if (this.usable()) return this.keys!;
    // Expired keys with no failed refresh behind them are not served: the refresh is tried first (bounded).
    if (this.clock.now() >= this.retryAt) await this.refresh();
    if (this.usable()) return this.keys!;
    throw new AuthError('KEYS_UNAVAILABLE');
  }

  /** The keys when they can be used now; `undefined` when a request would have to wait for a fetch or fail. */
  current(): readonly KeyRecord[] | undefined {
    return this.usable() ? this.keys : undefined;
  }

  /**
   * The keys after at most one refetch for a kid the set does not have: a rotated-in key is found without waiting for
   * the TTL, while a flood of made-up kids costs one fetch per cooldown (counted from the last fetch of any kind).
   */
  async getKeysForUnknownKid(): Promise<readonly KeyRecord[]> {
    const now = this.clock.now();
    if (this.inflight) await this.inflight;
    else if (now - this.lastFetchStart >= this.policy.unknownKidCooldownMs && now >= this.retryAt) {
      this.counters.add(this.name, 'unknownKidRefetches');
      await this.refresh();
    }
    return this.getKeys();
  }

  /**
   * Whether keys can be used now: fresh, or stale within the grace period while a refresh is under way or failing.
   * Stale keys that no refresh has been tried for (the timer could not run) are not used.
   */
  usable(): boolean {
    if (!this.keys) return false;
    const now = this.clock.now();
    if (now < this.freshUntil) return true;
    if (this.failingSince === undefined && !this.inflight) return false;
    return now < (this.failingSince ?? this.freshUntil) + this.policy.staleGraceMs;
  }

  /** Calls `listener` with the keys a refresh removed from the set. */
  onKeysRemoved(listener: (removed: ReadonlySet<KeyRecord>) => void): void {
    this.removalListeners.push(listener);
  }

  /** Stops the refresh timer (the module is closing). */
  close(): void {
    this.closed = true;
    this.cancelTimer?.();
  }

  /** Single-flight: every caller during a fetch shares it; it never rejects (failures keep the previous keys). */
  private refresh(): Promise<void> {
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetch(): Promise<void> {
    this.lastFetchStart = this.clock.now();
    this.counters.add(this.name, 'fetches');
    const span = this.tracing && startKeyFetchSpan(this.tracing, this.name);
    let records: KeyRecord[];
    try {
      records = await this.load();
      // ESPv2 counts a set without a usable key as a failed fetch; the previous keys, if any, stay.
      if (records.length === 0) throw new Error('the set holds no usable verification key');
    } catch (error) {
      if (span) endKeyFetchSpan(span, { failure: reason(error) });
      this.failed(error);
      return;
    }
    if (span) endKeyFetchSpan(span, { keys: records.length });
    const previous = this.byIdentity;
    this.byIdentity = new Map();
    // The same key keeps its record object, so validated tokens stay tied to it across refreshes; matched through a
    // map of identities (linear), never by comparing every new key with every old one.
    this.keys = records.map((record) => {
      const identity = keyIdentity(record);
      const kept = previous.get(identity) ?? this.byIdentity.get(identity) ?? record;
      this.byIdentity.set(identity, kept);
      return kept;
    });
    this.freshUntil = this.clock.now() + this.policy.ttlMs;
    this.failingSince = undefined;
    this.failuresInRow = 0;
    this.retryAt = 0;
    this.schedule(this.policy.ttlMs - Math.min(5000, this.policy.ttlMs / 5));
    const kept = new Set(this.keys);
    const removed = new Set([...previous.values()].filter((old) => !kept.has(old)));
    if (removed.size > 0) this.notifyRemoved(removed);
  }

  private failed(error: unknown): void {
    this.counters.add(this.name, 'failures');
    this.failuresInRow++;
    this.failingSince ??= this.clock.now();
    const wait = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (this.failuresInRow - 1));
    this.retryAt = this.clock.now() + wait;
    // Keys already served keep being refreshed in the background until they are back or the grace is over.
    if (this.keys) this.schedule(wait);
    const then = this.keys
      ? `the previous keys stay in use within the grace period; next try in ${wait} ms`
      : `requests get 401 until keys arrive; the first request after ${wait} ms tries again`;
    this.logger.warn(`keys of "${this.name}" could not be fetched: ${reason(error)}; ${then}`);
  }

  private schedule(delayMs: number): void {
    if (this.closed) return;
    this.cancelTimer?.();
    this.cancelTimer = this.clock.schedule(() => void this.refresh(), Math.max(0, delayMs));
  }

  private notifyRemoved(removed: ReadonlySet<KeyRecord>): void {
    for (const listener of this.removalListeners) {
      try {
        listener(removed);
      } catch (error) {
        this.logger.error(`a key-removal listener of "${this.name}" failed: ${reason(error)}`);
      }
    }
  }
}

function reason(error: unknown): string {
  return errorReason(error).slice(0, 200);
}
