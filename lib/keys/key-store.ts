import { Logger } from '@nestjs/common';
import { AuthError } from '../errors/auth-error.js';
import type { EndpointsAuthCounters } from './key-counters.js';
import type { KeyLoader } from './key-loader.js';
import type { KeyRecord } from './key-record.interface.js';
import type { KeySet } from './key-set.interface.js';

/** How the store caches, refreshes and falls back; all in milliseconds. */
export interface KeyStorePolicy {
  ttlMs: number;
  /** How long keys keep serving after their TTL while refreshes fail. */
  staleGraceMs: number;
  /** The least time between two refetches caused by an unknown kid. */
  unknownKidCooldownMs: number;
}

/** The first retry after a failed fetch (ESPv2 retries every second); doubled per failure up to the cap. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/**
 * The keys of one security definition. One fetch at a time (single-flight); refreshed in the background shortly
 * before the TTL ends, so no request waits on a refresh while keys are fresh or within the grace period; a failed
 * refresh keeps the previous keys and is retried with backoff; a token with an unknown kid may trigger one refetch
 * per cooldown (key rotation), never one per token.
 */
export class KeyStore implements KeySet {
  private readonly logger = new Logger('EndpointsAuthKeys');
  private keys?: KeyRecord[];
  private freshUntil = 0;
  private retryAt = 0;
  private failuresInRow = 0;
  private lastKidRefetch = Number.NEGATIVE_INFINITY;
  private inflight?: Promise<void>;
  private readonly removalListeners: ((removed: ReadonlySet<KeyRecord>) => void)[] = [];

  constructor(
    private readonly name: string,
    private readonly load: KeyLoader,
    private readonly policy: KeyStorePolicy,
    private readonly counters: EndpointsAuthCounters,
  ) {}

  /** The keys to verify with now; throws `KEYS_UNAVAILABLE` when there are none to use. */
  async getKeys(): Promise<readonly KeyRecord[]> {
    const now = Date.now();
    if (this.keys && now < this.freshUntil + this.policy.staleGraceMs) {
      // ESPv2 refreshes 5 s ahead of expiry; a short TTL refreshes in its last fifth.
      if (now >= this.freshUntil - Math.min(5000, this.policy.ttlMs / 5)) this.refreshInBackground(now);
      return this.keys;
    }
    if (now >= this.retryAt) await this.refresh();
    if (this.keys && Date.now() < this.freshUntil + this.policy.staleGraceMs) return this.keys;
    throw new AuthError('KEYS_UNAVAILABLE');
  }

  /**
   * The keys after at most one refetch for a kid the set does not have: a rotated-in key is found without waiting for
   * the TTL, while a flood of made-up kids costs one fetch per cooldown.
   */
  async getKeysForUnknownKid(): Promise<readonly KeyRecord[]> {
    const now = Date.now();
    if (now - this.lastKidRefetch >= this.policy.unknownKidCooldownMs && now >= this.retryAt) {
      this.lastKidRefetch = now;
      this.counters.add(this.name, 'unknownKidRefetches');
      await this.refresh();
    }
    return this.getKeys();
  }

  /** Calls `listener` with the keys a refresh removed from the set. */
  onKeysRemoved(listener: (removed: ReadonlySet<KeyRecord>) => void): void {
    this.removalListeners.push(listener);
  }

  private refreshInBackground(now: number): void {
    if (this.inflight || now < this.retryAt) return;
    // A background failure is logged and counted in refresh(); nothing waits on it.
    this.refresh().catch(() => undefined);
  }

  /** Single-flight: every caller during a fetch shares it; it never rejects (failures keep the previous keys). */
  private refresh(): Promise<void> {
    this.inflight ??= this.fetch().finally(() => (this.inflight = undefined));
    return this.inflight;
  }

  private async fetch(): Promise<void> {
    this.counters.add(this.name, 'fetches');
    try {
      const records = await this.load();
      // ESP keeps the previous keys when a refresh brings nothing it can use.
      if (records.length === 0 && this.keys?.length) throw new Error('the refreshed set holds no usable verification key');
      if (records.length === 0) this.logger.warn(`the keys of "${this.name}" hold no usable verification key`);
      const previous = this.keys ?? [];
      this.keys = records;
      // A key is the same key when the kid and the key material are; its record object is new at every fetch.
      const removed = new Set(previous.filter((old) => !records.some((key) => key.kid === old.kid && key.key.equals(old.key))));
      if (removed.size > 0) for (const listener of this.removalListeners) listener(removed);
      this.freshUntil = Date.now() + this.policy.ttlMs;
      this.failuresInRow = 0;
      this.retryAt = 0;
    } catch (error) {
      this.counters.add(this.name, 'failures');
      this.failuresInRow++;
      const wait = Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (this.failuresInRow - 1));
      this.retryAt = Date.now() + wait;
      const kept = this.keys ? '; the previous keys stay in use within the grace period' : '';
      this.logger.warn(`keys of "${this.name}" could not be fetched: ${reason(error)}${kept}; next try in ${wait} ms`);
    }
  }
}

function reason(error: unknown): string {
  const message = error instanceof Error ? error.message : String((error as { errorMsg?: unknown })?.errorMsg ?? error);
  return message.slice(0, 200);
}
