// Slows credential guessing: failed authentications are counted per client, and a client over its
// budget is refused before its credentials are looked at.
import type { Options, Store } from 'express-rate-limit';

const MAX_REMEMBERED = 10_000;

/** `auth.throttle`, compiled. */
export interface ThrottleSettings {
  readonly failures: number;
  readonly windowMs: number;
}

/**
 * Counts failed authentications per key (the client's address) in a rate-limit store — memory, or
 * Redis when `limits.store` is redis, so replicas add their counts up. The store is written only on
 * a failure; whether a key is refused is answered from this replica's memory of the counts it saw
 * cross the budget, so a request with valid credentials costs one map lookup. A replica that has not
 * seen a key cross learns it on that key's next failure: one more guess per replica at most.
 *
 * @example
 * ```ts
 * const throttle = new FailureThrottle({ failures: 20, windowMs: 60_000 }, new MemoryStore(), Date.now);
 * if (throttle.retryAfter('ip:203.0.113.9') === undefined) ...check credentials...
 * await throttle.failed('ip:203.0.113.9');
 * ```
 */
export class FailureThrottle {
  /** Key → when its refusal ends (ms), for keys seen over the budget. */
  private readonly refused = new Map<string, number>();

  constructor(
    readonly settings: ThrottleSettings,
    private readonly store: Store,
    private readonly now: () => number,
  ) {
    void store.init?.({ windowMs: settings.windowMs, limit: settings.failures } as Options);
  }

  /** Whether any client is refused now or was lately (when none is, nothing needs looking up). */
  get refusing(): boolean {
    return this.refused.size > 0;
  }

  /** Seconds until `key` may try again, or undefined when it may now. */
  retryAfter(key: string): number | undefined {
    if (this.refused.size === 0) return undefined;
    const until = this.refused.get(key);
    if (until === undefined) return undefined;
    const left = until - this.now();
    if (left > 0) return Math.ceil(left / 1000);
    this.refused.delete(key);
    return undefined;
  }

  /** Counts one failure of `key`; once its count passes the budget, it is refused until the window resets. */
  async failed(key: string): Promise<void> {
    const { totalHits, resetTime } = await this.store.increment(key);
    if (totalHits < this.settings.failures) return;
    const now = this.now();
    // Bounded under a spread-out attack: expired refusals go once the map is large.
    if (this.refused.size >= MAX_REMEMBERED) for (const [refusedKey, until] of this.refused) if (until <= now) this.refused.delete(refusedKey);
    // What is left of the store's window (its clock), from now on this throttle's clock.
    const left = resetTime ? resetTime.getTime() - Date.now() : this.settings.windowMs;
    this.refused.set(key, now + Math.max(left, 0));
  }

  /** Releases the store's timers. */
  shutdown(): void {
    void this.store.shutdown?.();
  }
}
