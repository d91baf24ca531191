// One budget: counts requests per key in its own store (express-rate-limit's store interface) and
// answers 429 once a key's budget is spent.
import type { ServerResponse } from 'node:http';
import type { ClientRateLimitInfo, Options, Store } from 'express-rate-limit';
import { FigwayError } from '../errors.js';
import { appendRateLimitFields } from './ratelimit-headers.js';

/** What makes a limiter; one is kept across reloads only while these stay the same. */
export interface LimiterSettings {
  /** Names the budget: `global` or `route:<id>:<index>`; also the draft-8 policy name. */
  readonly prefix: string;
  readonly limit: number;
  readonly windowMs: number;
}

export interface Limiter {
  readonly settings: LimiterSettings;
  /**
   * Counts the request against `key`'s budget and sets the RateLimit headers; once the budget is
   * spent, sets Retry-After and throws (or rejects with) FIGWAY_RATE_LIMITED, which the pipeline
   * answers as 429. Rejects with FIGWAY_RATE_LIMIT_UNAVAILABLE when the store fails. Settles at
   * once when the store counts at once.
   */
  check(res: ServerResponse, key: string): void | Promise<void>;
  /** Releases the store's timers. */
  shutdown(): void;
}

/**
 * Creates a limiter over `store`, which must belong to this limiter alone. The store is called
 * directly rather than through express-rate-limit's middleware: figway already has the key and
 * answers refusals itself, and the middleware's per-request work (its checks, promise chain and a
 * SHA-256 per header) cost about a tenth of a proxied request's CPU in server mode.
 *
 * @example
 * ```ts
 * const limiter = createLimiter({ prefix: 'global', limit: 100, windowMs: 60_000 }, new MemoryStore());
 * await limiter.check(ctx.res, 'user:alice');
 * ```
 */
export function createLimiter(settings: LimiterSettings, store: Store): Limiter {
  const { prefix, limit, windowMs } = settings;
  // Stores read only the window from express-rate-limit's options (MemoryStore, rate-limit-redis);
  // the Redis store's init never rejects (an outage shows on increment, where the plugin reports it).
  void store.init?.({ windowMs, limit } as Options);
  const refusal = `rate limit exceeded: ${limit} requests per ${formatWindow(windowMs)}`;
  return {
    settings,
    check(res, key) {
      const apply = ({ totalHits, resetTime }: ClientRateLimitInfo): void => {
        const resetSeconds = resetTime ? Math.max(0, Math.ceil((resetTime.getTime() - Date.now()) / 1000)) : Math.ceil(windowMs / 1000);
        appendRateLimitFields(res, { name: prefix, limit, windowMs, remaining: Math.max(limit - totalHits, 0), resetSeconds, key });
        if (totalHits <= limit) return;
        if (!res.headersSent) res.setHeader('Retry-After', String(resetSeconds));
        throw new FigwayError('FIGWAY_RATE_LIMITED', refusal);
      };
      // The store interface allows a count given at once; then nothing waits.
      const counted = store.increment(key);
      if (counted instanceof Promise) return counted.then(apply);
      apply(counted);
      return undefined;
    },
    shutdown: () => void store.shutdown?.(),
  };
}

function formatWindow(ms: number): string {
  if (ms % 60_000 === 0) return `${ms / 60_000}m`;
  if (ms % 1000 === 0) return `${ms / 1000}s`;
  return `${ms}ms`;
}
