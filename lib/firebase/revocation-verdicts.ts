import { LRUCache } from 'lru-cache';
import { describe } from '../api-config/load-spec-document.js';
import { tenantOf } from './check-firebase-token.js';
import { AuthError } from '../errors/auth-error.js';
import type { JwtClaims } from '../interfaces/jwt-claims.interface.js';
import type { KeyClock } from '../keys/key-clock.js';
import type { FirebaseRevocationCheck } from './firebase-profile-options.interface.js';

/** How long a question may go unanswered: then the requests waiting on it are refused and the next one asks again. */
const ANSWER_DEADLINE_MS = 10_000;

/** A verdict of the revocation check, and until when (on the injected clock) it is reused. */
interface Verdict {
  revoked: boolean;
  until: number;
}

/**
 * The answers of a user's `checkRevoked`, reused per (tenant, `sub`, `iat`, `auth_time`) for a TTL of their own, so
 * a token the validated-token cache keeps for minutes is still asked about every TTL; one question at a time per key,
 * so a burst of requests with one token costs one lookup. A throw, a rejection or an answer other than `true` or `false` refuses
 * the token (fail closed) and is not kept: the next request asks again. So is a question left unanswered for 10 s, so
 * one stalled lookup cannot hold every later request of its user.
 */
export class RevocationVerdicts {
  private readonly verdicts: LRUCache<string, Verdict>;
  private readonly pending = new Map<string, Promise<boolean>>();

  constructor(
    private readonly check: FirebaseRevocationCheck,
    private readonly ttlMs: number,
    maxEntries: number,
    private readonly clock: KeyClock,
    private readonly onFault: (fault: string) => void,
  ) {
    this.verdicts = new LRUCache<string, Verdict>({ max: maxEntries });
  }

  /** TOKEN_REVOKED, REVOCATION_UNAVAILABLE or `undefined` (not revoked); synchronous while a verdict is fresh. */
  refusalOf(claims: JwtClaims): AuthError | undefined | Promise<AuthError | undefined> {
    // Everything Admin's verdict reads of the token: a uid names a user within its tenant only (two tenants' users of
    // one uid are revoked apart), and `auth_time` is what the revocation time is compared with, so a session signed in
    // before a revocation never shares the verdict of a sign-in after it, even within the same `iat` second.
    const key = JSON.stringify([tenantOf(claims['firebase']) ?? null, claims.sub, claims.iat ?? null, claims['auth_time'] ?? null]);
    const verdict = this.verdicts.get(key);
    if (verdict && verdict.until > this.clock.now()) return refusal(verdict.revoked);
    let pending = this.pending.get(key);
    if (!pending) {
      // Removed once settled (asynchronously, so even a check that throws at once is removed after it was added).
      pending = this.withDeadline(this.ask(claims, key)).finally(() => this.pending.delete(key));
      this.pending.set(key, pending);
    }
    return pending.then(refusal, () => new AuthError('REVOCATION_UNAVAILABLE'));
  }

  private async ask(claims: JwtClaims, key: string): Promise<boolean> {
    try {
      const revoked: unknown = await this.check(claims);
      if (typeof revoked !== 'boolean') throw new Error(`checkRevoked answered ${describe(revoked)}, not true or false`);
      if (this.ttlMs > 0) this.verdicts.set(key, { revoked, until: this.clock.now() + this.ttlMs });
      return revoked;
    } catch (error) {
      // The error's own message may quote the user (a uid, an e-mail): only its code or kind is reported.
      this.onFault(faultOf(error));
      throw error;
    }
  }

  /** `asked`, or a rejection once it has gone unanswered for ANSWER_DEADLINE_MS (its late answer is still kept). */
  private withDeadline(asked: Promise<boolean>): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const cancel = this.clock.schedule(() => {
        this.onFault(`no answer within ${ANSWER_DEADLINE_MS} ms`);
        reject(new Error('checkRevoked did not answer in time'));
      }, ANSWER_DEADLINE_MS);
      asked.then(
        (revoked) => (cancel(), resolve(revoked)),
        (error: unknown) => (cancel(), reject(error)),
      );
    });
  }
}

function refusal(revoked: boolean): AuthError | undefined {
  return revoked ? new AuthError('TOKEN_REVOKED') : undefined;
}

/** What may be said of a failed check: firebase-admin's `code` (`auth/user-not-found`), else the error's kind. */
function faultOf(error: unknown): string {
  if (error instanceof Error && error.message.startsWith('checkRevoked answered ')) return error.message;
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && code.length <= 100) return `${error instanceof Error ? error.name : 'a throw'} ${JSON.stringify(code)}`;
  return error instanceof Error ? error.name : describe(error);
}
