// The one Redis client the rate-limit plugin shares between its limiters: opened on first use, every command bounded.
import type { RedisClientType } from 'redis';
import { withTimeout } from '../with-timeout.js';
import { FigwayError } from '../errors.js';

interface Opened {
  readonly client: RedisClientType;
  /** Settles at the first connection attempt's outcome (ready or error), never later. */
  readonly firstAttempt: Promise<void>;
}

/**
 * A node-redis client for rate-limit counters. Commands are never queued while Redis is away
 * (`disableOfflineQueue`): a gateway must answer now, not when Redis comes back. Only the very
 * first commands wait, for the first connection attempt, so a gateway that just started does not
 * fail its first requests while the socket opens.
 *
 * @example
 * ```ts
 * const redis = new RedisConnection('redis://127.0.0.1:6379', 1000);
 * await redis.sendCommand(['PING']); // 'PONG', or a rejection within 1000 ms
 * await redis.close();
 * ```
 */
export class RedisConnection {
  private opening: Promise<Opened> | undefined;
  private closed = false;

  constructor(
    readonly url: string,
    private readonly timeoutMs: number,
  ) {}

  /** Sends one command; settles within the timeout whatever Redis does (down, hung, still connecting). */
  sendCommand(args: string[]): Promise<unknown> {
    return withTimeout(this.send(args), this.timeoutMs, 'FIGWAY_RATE_LIMIT_UNAVAILABLE');
  }

  async close(): Promise<void> {
    this.closed = true;
    if (!this.opening) return;
    const { client } = await this.opening;
    try {
      await withTimeout(client.close(), this.timeoutMs, 'FIGWAY_RATE_LIMIT_UNAVAILABLE');
    } catch {
      // Never connected, or Redis is not answering: drop the socket instead of waiting.
      client.destroy();
    }
  }

  private async send(args: string[]): Promise<unknown> {
    if (this.closed) throw new FigwayError('FIGWAY_RATE_LIMIT_UNAVAILABLE', 'the rate-limit Redis connection is closed');
    const { client, firstAttempt } = await this.open();
    await firstAttempt;
    return client.sendCommand(args);
  }

  private open(): Promise<Opened> {
    this.opening ??= (async () => {
      // Loaded only when a limit uses Redis: apps on the memory store never load a Redis client.
      const { createRedisClient } = await import('../redis/redis-client.js');
      // Failures surface on the commands themselves (and in the plugin's throttled warning).
      const client = createRedisClient(this.url, this.timeoutMs, () => {});
      const firstAttempt = new Promise<void>((resolve) => {
        client.once('ready', resolve);
        client.once('error', resolve);
      });
      // A connection still being made when the plugin closed would otherwise stay open.
      client.on('ready', () => {
        if (this.closed) client.destroy();
      });
      client.connect().catch(() => {});
      return { client, firstAttempt };
    })();
    return this.opening;
  }
}
