/**
 * The time a key store reads and the timer it refreshes with. Production uses the system's; tests inject a clock they
 * advance, so a TTL, a cooldown, a backoff or a grace period ends when the test says, not when a loaded machine
 * gets there.
 */
export interface KeyClock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` once after `delayMs`, without keeping the process alive; returns what cancels it. */
  schedule(callback: () => void, delayMs: number): () => void;
}

/** Injection token of the clock the key stores keep time by; not public: only tests override it. */
export const ENDPOINTS_AUTH_KEY_CLOCK = 'ENDPOINTS_AUTH:KEY_CLOCK';

/** The system clock and `setTimeout` (unref'd: a refresh timer never keeps the process alive on its own). */
export const SYSTEM_KEY_CLOCK: KeyClock = Object.freeze({
  now: () => Date.now(),
  schedule(callback: () => void, delayMs: number): () => void {
    const timer = setTimeout(callback, delayMs).unref();
    return () => clearTimeout(timer);
  },
});
