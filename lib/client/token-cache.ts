/** A token and the time (ms since the epoch) it stops being valid. */
export interface ExpiringToken {
  token: string;
  expiresAt: number;
}

interface Entry extends ExpiringToken {
  /** From here on a call starts a refresh (and still gets this token while it is valid). */
  refreshAt: number;
}

/**
 * Per-audience tokens: one fetch at a time per audience (every caller during a fetch shares it), refreshed ahead of
 * expiry. In the refresh window callers keep getting the valid token while one background refresh runs, so a slow
 * token server never stalls them; only a missing or expired token makes callers wait.
 */
export class TokenCache {
  private readonly entries = new Map<string, Entry>();
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
    if (entry && now < entry.refreshAt) return entry.token;
    const refresh = this.refresh(audience);
    if (entry && now < entry.expiresAt) {
      // The caller has a valid token; a failed background refresh is retried by the next caller.
      refresh.catch(() => undefined);
      return entry.token;
    }
    return (await refresh).token;
  }

  /** Forgets every token (the next call fetches). */
  clear(): void {
    this.entries.clear();
  }

  private refresh(audience: string): Promise<ExpiringToken> {
    let pending = this.inflight.get(audience);
    if (!pending) {
      pending = this.fetchToken(audience)
        .then((fresh) => {
          const obtainedAt = Date.now();
          // A token shorter-lived than the refresh margin is still used for half its life, not refetched per call.
          const ahead = Math.min(this.refreshBeforeExpiryMs, (fresh.expiresAt - obtainedAt) / 2);
          this.entries.set(audience, { ...fresh, refreshAt: fresh.expiresAt - ahead });
          return fresh;
        })
        .finally(() => this.inflight.delete(audience));
      this.inflight.set(audience, pending);
    }
    return pending;
  }
}
