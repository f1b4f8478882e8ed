import type { KeyRecord } from './key-record.interface.js';

/** The keys a strategy verifies with: a `KeyStore` for fetched keys, `StaticKeys` for a key written in the spec. */
export interface KeySet {
  /** The keys to verify with now; throws `KEYS_UNAVAILABLE` when there are none to use. */
  getKeys(): Promise<readonly KeyRecord[]>;
  /** The keys when they can be used at once, without waiting for a fetch (the per-request fast path). */
  current(): readonly KeyRecord[] | undefined;
  /** The keys after at most one refetch for a kid the set does not hold. */
  getKeysForUnknownKid(): Promise<readonly KeyRecord[]>;
  /** Whether the keys may be used now, by the set's own clock (a validated token is served only while its keys are). */
  usable(): boolean;
  /** Calls `listener` with the keys a refresh removed from the set (for the validated-token cache). */
  onKeysRemoved(listener: (removed: ReadonlySet<KeyRecord>) => void): void;
  /** Where the keys come from, for the start-up line, when not where the spec says (the testing kit's keys). */
  readonly description?: string;
  /** Stops background work when the module closes. */
  close?(): void;
}

/** A key written in the spec (a base64 symmetric key): nothing to fetch, nothing to refresh. */
export class StaticKeys implements KeySet {
  private readonly keys: readonly KeyRecord[];

  constructor(...keys: KeyRecord[]) {
    this.keys = keys;
  }

  getKeys(): Promise<readonly KeyRecord[]> {
    return Promise.resolve(this.keys);
  }

  getKeysForUnknownKid(): Promise<readonly KeyRecord[]> {
    return Promise.resolve(this.keys);
  }

  current(): readonly KeyRecord[] {
    return this.keys;
  }

  usable(): boolean {
    return true;
  }

  onKeysRemoved(): void {
    // A key written in the spec never leaves.
  }
}
