import { LRUCache } from 'lru-cache';

/** A token and the time (ms since the epoch) it stops being valid. */
export interface ExpiringToken {
  token: string;
  expiresAt: number;
}

interface Entry extends ExpiringToken {
  /** From here on a call starts a background refresh (and still gets this token). */
  refreshAt: number;
  /** From here on the token is not handed out any more: a callee with a clock a little ahead would refuse it. */
  staleAt: number;
  /** No background refresh before this (set after a failed one, so a failing token server is not hammered). */
  retryAt: number;
  /** Background refreshes that failed in a row. */
  failures: number;
}

/** The most audiences kept; a gateway that calls audiences named by its own callers must not grow without bound. */
const MAX_AUDIENCES = 1000;
/** A token is not handed out in its last 10 s (or last quarter of a short life). */
const LAST_MS = 10_000;
/** The wait after a failed background refresh: 1 s, doubling per failure, up to 30 s. */
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30_000;

/**
 * Per-audience tokens: one fetch at a time per audience (every caller during a fetch shares it), refreshed ahead of
 * expiry. In the refresh window callers keep getting the valid token while one background refresh runs, so a slow
 * token server never stalls them; a failed refresh is retried after a backoff, not on every call; only a missing or
 * nearly expired token makes callers wait.
 */
export class TokenCache {
  private readonly entries = new LRUCache<string, Entry>({ max: MAX_AUDIENCES });
  private readonly inflight = new Map<string, Promise<ExpiringToken>>();

  constructor(
    private readonly fetchToken: (audience: string) => Promise<ExpiringToken>,
    private readonly refreshBeforeExpiryMs: number,
  ) {
    if (!(refreshBeforeExpiryMs >= 0) || !Number.isFinite(refreshBeforeExpiryMs)) {
      throw new Error(`refreshBeforeExpirySeconds must be a number of seconds, 0 or more, got ${refreshBeforeExpiryMs / 1000}`);
    }
  }

  /** The audience's token: cached, refreshing in the background, or fetched once for all concurrent callers. */
  async get(audience: string): Promise<string> {
    const entry = this.entries.get(audience);
    const now = Date.now();
    if (entry && now < entry.staleAt) {
      if (now >= entry.refreshAt && now >= entry.retryAt) {
        // The caller has a valid token; a failed refresh sets the backoff and is tried again after it.
        this.refresh(audience).catch(() => undefined);
      }
      return entry.token;
    }
    return (await this.refresh(audience)).token;
  }

  private refresh(audience: string): Promise<ExpiringToken> {
    let pending = this.inflight.get(audience);
    if (!pending) {
      pending = this.fetchToken(audience)
        .then((fresh) => this.keep(audience, fresh), (error: unknown) => this.failed(audience, error))
        .finally(() => this.inflight.delete(audience));
      this.inflight.set(audience, pending);
    }
    return pending;
  }

  private keep(audience: string, fresh: ExpiringToken): ExpiringToken {
    const obtainedAt = Date.now();
    const life = fresh.expiresAt - obtainedAt;
    if (life <= 0) {
      throw new Error(`the token for ${audience} had already expired when it arrived: is this machine's clock right?`);
    }
    // A token shorter-lived than the refresh margin is still used for half its life, not refetched per call.
    const ahead = Math.min(this.refreshBeforeExpiryMs, life / 2);
    const last = Math.min(LAST_MS, life / 4);
    this.entries.set(audience, { ...fresh, refreshAt: fresh.expiresAt - ahead, staleAt: fresh.expiresAt - last, retryAt: 0, failures: 0 });
    return fresh;
  }

  private failed(audience: string, error: unknown): never {
    const entry = this.entries.get(audience);
    if (entry) {
      entry.failures++;
      entry.retryAt = Date.now() + Math.min(MAX_RETRY_MS, FIRST_RETRY_MS * 2 ** (entry.failures - 1));
    }
    throw error;
  }
}
