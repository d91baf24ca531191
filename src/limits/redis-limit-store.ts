// rate-limit-redis's store made safe for a gateway: bounded in time, recovering from a Redis that was down at start.
import type { IncrementResponse, Options } from 'express-rate-limit';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import { FigwayError } from '../errors.js';
import { withTimeout } from '../with-timeout.js';

/**
 * A RedisStore whose `increment` settles within `timeoutMs` and fails only with
 * FIGWAY_RATE_LIMIT_UNAVAILABLE, so the plugin can apply `onStoreError` to exactly those failures.
 *
 * @example
 * ```ts
 * const redis = new RedisConnection(url, 1000);
 * const store = new RedisLimitStore((args) => redis.sendCommand(args), 'figway:rl:global:', 1000);
 * const limiter = createLimiter({ prefix: 'global', limit: 100, windowMs: 60_000 }, store);
 * ```
 */
export class RedisLimitStore extends RedisStore {
  constructor(
    send: (args: string[]) => Promise<unknown>,
    prefix: string,
    private readonly timeoutMs: number,
  ) {
    super({ sendCommand: (...args: string[]) => send(args) as Promise<RedisReply>, prefix });
  }

  override async init(options: Options): Promise<void> {
    // Loading the scripts fails while Redis is down; increment() loads them again, and the outage
    // is reported by the plugin (throttled) rather than as a failure at every start.
    await super.init(options).catch(() => {});
  }

  override async increment(key: string): Promise<IncrementResponse> {
    try {
      return await withTimeout(this.incrementLoaded(key), this.timeoutMs, 'FIGWAY_RATE_LIMIT_UNAVAILABLE');
    } catch (err) {
      throw new FigwayError('FIGWAY_RATE_LIMIT_UNAVAILABLE', 'the rate-limit store is unreachable', { cause: err });
    }
  }

  private async incrementLoaded(key: string): Promise<IncrementResponse> {
    // rate-limit-redis loads its script again only after NOSCRIPT; a load that failed (Redis down
    // at start) would otherwise stay a rejected promise and fail every later increment.
    const loaded = await this.incrementScriptSha.then(
      () => true,
      () => false,
    );
    if (!loaded) this.incrementScriptSha = this.loadIncrementScript();
    return super.increment(key);
  }
}
