import { LRUCache } from 'lru-cache';
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

/** An entry as kept: the token it was verified for, compared whole on every look-up. */
interface Held extends ValidatedToken {
  token: string;
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
 * Tokens that verified, found by the exact token string (by its fingerprint, then whole), for min(their `exp`, the TTL) as ESP keeps them (R38): a hit
 * skips parsing and the signature, never the requirement, issuer, time and audience checks. Bounded by entries and
 * memory; entries whose key left the key set are dropped when the refresh that removed it lands.
 */
export class ValidatedTokenCache {
  private readonly entries: LRUCache<string, Held>;

  constructor(private readonly limits: TokenCacheLimits) {
    this.entries = new LRUCache<string, Held>({
      max: limits.maxEntries,
      maxSize: limits.maxBytes,
      sizeCalculation: (entry) => entry.token.length * 3,
      ttl: limits.ttlMs,
      ttlAutopurge: false,
    });
  }

  /** The verified entry of `token`, if it is cached and not past its TTL. */
  get(token: string): ValidatedToken | undefined {
    const entry = this.entries.get(fingerprintOf(token));
    // Another token with the same last characters (a forged one reusing a signature's end) is not this one.
    return entry?.token === token ? entry : undefined;
  }

  /** Keeps a verified token until min(its `exp`, the TTL); tokens over 4 KiB or already expired are not kept. */
  set(token: string, entry: ValidatedToken, nowMs: number): void {
    if (token.length > MAX_CACHED_TOKEN_CHARS) return;
    const ttl = Math.min(this.limits.ttlMs, entry.claims.exp * 1000 - nowMs);
    if (ttl > 0) this.entries.set(fingerprintOf(token), { ...entry, token }, { ttl });
  }

  /** Drops every entry verified with one of `removed` (keys that left their key set at a refresh). */
  dropKeys(removed: ReadonlySet<KeyRecord>): void {
    for (const [fingerprint, entry] of this.entries.entries()) {
      if (removed.has(entry.key)) this.entries.delete(fingerprint);
    }
  }

  /** How many tokens are cached now. */
  get size(): number {
    return this.entries.size;
  }
}
