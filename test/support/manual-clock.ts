import type { KeyClock } from '../../lib/keys/key-clock.js';

/**
 * A key-store clock that moves only when the test says: `advance(ms)` moves the time and runs the timers that fall
 * due, in order. A TTL, cooldown, backoff or grace period then ends at a chosen step, however slow the machine is.
 */
export class ManualClock implements KeyClock {
  private time = Date.now();
  private timers: { at: number; callback: () => void }[] = [];

  now(): number {
    return this.time;
  }

  schedule(callback: () => void, delayMs: number): () => void {
    const timer = { at: this.time + delayMs, callback };
    this.timers.push(timer);
    return () => void (this.timers = this.timers.filter((one) => one !== timer));
  }

  /** Moves the time by `ms`, running each timer that falls due at its own time. */
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      const due = this.timers.filter((one) => one.at <= end).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((one) => one !== due);
      this.time = Math.max(this.time, due.at);
      due.callback();
    }
    this.time = end;
  }

  /** Timers waiting to fire. */
  pending(): number {
    return this.timers.length;
  }
}

/**
 * Waits until `condition` holds, checking every 20 ms. The ceiling only stops a test that would hang, with a message
 * that says what never happened: generous (a loaded machine runs a file's concurrent tests slowly), yet below the
 * 120 s test timeout of the files that use it.
 */
export async function until(condition: () => boolean, what: string, ceilingMs = 90_000): Promise<void> {
  const end = Date.now() + ceilingMs;
  while (!condition()) {
    if (Date.now() > end) throw new Error(`${what}: not reached within ${ceilingMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
