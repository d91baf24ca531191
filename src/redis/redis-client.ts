// The one way figway makes a Redis client: it never queues, never waits long, never throws unheard.
import { createClient, type RedisClientType } from 'redis';

const MAX_RECONNECT_DELAY_MS = 1000;

/**
 * A node-redis client for the gateway's hot paths (state, rate limits). Commands are never queued
 * while Redis is away (`disableOfflineQueue`): a gateway must answer now, not when Redis comes
 * back. Connecting and every command are bounded by `timeoutMs`; reconnection backs off to 1 s.
 * Errors are reported to `onError` (without a listener node-redis would throw them and end the
 * process). The client is not connected yet.
 *
 * @example
 * ```ts
 * const client = createRedisClient('redis://127.0.0.1:6379', 1000, () => {});
 * await client.connect();
 * ```
 */
export function createRedisClient(url: string, timeoutMs: number, onError: (err: Error) => void): RedisClientType {
  const client: RedisClientType = createClient({
    url,
    disableOfflineQueue: true,
    // Also bounds each command inside node-redis, so commands to a hung Redis do not pile up in its queue.
    commandOptions: { timeout: timeoutMs },
    socket: {
      connectTimeout: timeoutMs,
      reconnectStrategy: (retries) => Math.min(50 * 2 ** retries, MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 50),
    },
  });
  client.on('error', onError);
  return client;
}
