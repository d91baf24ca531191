// Tells operators the rate-limit store is failing: once per interval, not once per request.
import type { Diagnostics } from '../diagnostics.js';

const DEFAULT_INTERVAL_MS = 5000;

export type StoreErrorPolicy = 'open' | 'closed';

/**
 * A warning when the store fails (at most one per interval, with how many failures it stands for)
 * and one line when it answers again after a warning.
 *
 * @example
 * ```ts
 * const outage = new StoreOutageLog(diagnostics, Date.now);
 * outage.failed(err, 'open'); // warns; further failures within 5 s are only counted
 * outage.succeeded();         // "reachable again", once
 * ```
 */
export class StoreOutageLog {
  private lastWarningAt = Number.NEGATIVE_INFINITY;
  private unreported = 0;
  private warned = false;

  constructor(
    private readonly diagnostics: Diagnostics,
    private readonly now: () => number,
    private readonly intervalMs = DEFAULT_INTERVAL_MS,
  ) {}

  failed(err: Error, policy: StoreErrorPolicy): void {
    const now = this.now();
    this.unreported += 1;
    if (now - this.lastWarningAt < this.intervalMs) return;
    const consequence = policy === 'open' ? 'requests pass without rate limits (onStoreError: open)' : 'requests are refused with 503 (onStoreError: closed)';
    this.diagnostics.warnOnce('FIGWAY_LIMITS_STORE_UNREACHABLE', `figway: the rate-limit store is unreachable; ${consequence}`, { err: err.cause ?? err, onStoreError: policy, failures: this.unreported });
    this.lastWarningAt = now;
    this.unreported = 0;
    this.warned = true;
  }

  succeeded(): void {
    if (!this.warned) return;
    this.warned = false;
    this.diagnostics.logger.info({ failures: this.unreported }, 'figway: the rate-limit store is reachable again');
    this.unreported = 0;
  }
}
