import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';
import type { KeyRecord } from '../keys/key-record.interface.js';

/** A token that verified: its claims, the definition that verified it and the key its signature matched. */
export interface ValidatedToken {
  claims: JwtClaims;
  provider: string;
  key: KeyRecord;
}

/** The bounds of the cache. */
export interface TokenCacheLimits {
  maxEntries: number;
  /** Estimated bytes of all entries (three bytes per character of the token covers the token and its claims). */
  maxBytes: number;
  ttlMs: number;
}

/** Envoy caches tokens up to 4 KiB only; bigger ones are rare and would crowd out the rest. */
const MAX_CACHED_TOKEN_CHARS = 4096;
/** The characters of a token's end (its signature's) it is found by: 192 bits of a signature. */
const FINGERPRINT_CHARS = 32;

/**
 * An entry as kept: the token it was verified for (compared whole on every look-up), what it counts against the byte
 * bound, when it stops being served, and its neighbours in the recency list (`newer` towards the most recently used).
 */
interface Held extends ValidatedToken {
  token: string;
  fingerprint: string;
  bytes: number;
  expiresAtMs: number;
  newer: Held | undefined;
  older: Held | undefined;
}

/**
 * What an entry is found by: the token's last characters, which lie in its signature. A `Map` hashes every character
 * of a key it is handed, and the token a request carries is a new string each time (≈ 1,000 characters, 1 to 3 µs
 * to hash): the fingerprint costs a 32-character hash, then one comparison of the whole token decides.
 */
function fingerprintOf(token: string): string {
  return token.length <= FINGERPRINT_CHARS ? token : token.slice(-FINGERPRINT_CHARS);
}

/**
 * Tokens that verified, found by the exact token string (by its fingerprint, then whole), for min(their `exp`, the
 * TTL) as ESP keeps them (R38): a hit skips parsing and the signature, never the requirement, issuer, time and
 * audience checks. Bounded by entries and estimated bytes, least recently used first out; entries whose key left the
 * key set are dropped when the refresh that removed it lands. Time is the caller's (`nowMs`, the clock the claims are
 * judged by), so a hit reads the clock once and the cache keeps no timer: a general-purpose LRU's TTL clock
 * (`performance.now()` and a timer re-armed every millisecond) cost more than the look-up.
 */
export class ValidatedTokenCache {
  private readonly entries = new Map<string, Held>();
  /** Most and least recently used ends of the recency list. */
  private newest: Held | undefined;
  private oldest: Held | undefined;
  private bytes = 0;

  constructor(private readonly limits: TokenCacheLimits) {}

  /** The verified entry of `token` if it is cached and `nowMs` is before the end of its TTL; a hit becomes the most recent. */
  get(token: string, nowMs: number): ValidatedToken | undefined {
    const entry = this.entries.get(fingerprintOf(token));
    // Another token with the same last characters (a forged one reusing a signature's end) is not this one, and
    // does not refresh the real one's recency.
    if (entry === undefined || entry.token !== token) return undefined;
    if (nowMs >= entry.expiresAtMs) {
      this.remove(entry);
      return undefined;
    }
    if (entry !== this.newest) {
      this.unlink(entry);
      this.pushNewest(entry);
    }
    return entry;
  }

  /**
   * Keeps a verified token until min(its `exp`, the TTL) from `nowMs`; tokens over 4 KiB, over the byte bound alone
   * or already expired are not kept. It replaces an entry of the same fingerprint and evicts the least recently used
   * entries until both bounds hold.
   */
  set(token: string, entry: ValidatedToken, nowMs: number): void {
    if (token.length > MAX_CACHED_TOKEN_CHARS) return;
    const ttl = Math.min(this.limits.ttlMs, entry.claims.exp * 1000 - nowMs);
    if (!(ttl > 0)) return;
    const fingerprint = fingerprintOf(token);
    const previous = this.entries.get(fingerprint);
    if (previous) this.remove(previous);
    const bytes = token.length * 3;
    if (bytes > this.limits.maxBytes) return;
    const held: Held = {
      claims: entry.claims,
      provider: entry.provider,
      key: entry.key,
      token,
      fingerprint,
      bytes,
      expiresAtMs: nowMs + ttl,
      newer: undefined,
      older: undefined,
    };
    this.entries.set(fingerprint, held);
    this.pushNewest(held);
    this.bytes += bytes;
    while (this.oldest && (this.entries.size > this.limits.maxEntries || this.bytes > this.limits.maxBytes)) this.remove(this.oldest);
  }

  /** Drops every entry verified with one of `removed` (keys that left their key set at a refresh). */
  dropKeys(removed: ReadonlySet<KeyRecord>): void {
    for (let entry = this.oldest; entry; ) {
      const newer = entry.newer;
      if (removed.has(entry.key)) this.remove(entry);
      entry = newer;
    }
  }

  /** How many tokens are cached now (expired ones included until they are looked up or evicted). */
  get size(): number {
    return this.entries.size;
  }

  /** Estimated bytes of the cached tokens, as the byte bound counts them. */
  get byteSize(): number {
    return this.bytes;
  }

  private remove(entry: Held): void {
    this.entries.delete(entry.fingerprint);
    this.unlink(entry);
    this.bytes -= entry.bytes;
  }

  private unlink(entry: Held): void {
    if (entry.newer) entry.newer.older = entry.older;
    else this.newest = entry.older;
    if (entry.older) entry.older.newer = entry.newer;
    else this.oldest = entry.newer;
    entry.newer = entry.older = undefined;
  }

  private pushNewest(entry: Held): void {
    entry.older = this.newest;
    if (this.newest) this.newest.newer = entry;
    else this.oldest = entry;
    this.newest = entry;
  }
}
