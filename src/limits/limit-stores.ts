// Where counters live: one store per limiter, in memory or in Redis through the plugin's one shared client.
import { MemoryStore, type Store } from 'express-rate-limit';
import { defaultsFiller } from '../config-kit/schema-defaults.js';
import { LimitsSection, type LimitsConfig } from './limits-schema.js';
import type { KeptAcrossReloads } from './kept-across-reloads.js';
import { RedisConnection } from './redis-connection.js';
import { RedisLimitStore } from './redis-limit-store.js';

/** How long one store call may take before it counts as a store failure. */
export const STORE_TIMEOUT_MS = 1000;

const fillRedis = defaultsFiller(LimitsSection.properties.redis, ['prefix']);

/** Makes the stores of one config's limiters. */
export interface LimitStores {
  /** Identifies where counters live, so a limiter is rebuilt when that changes. */
  readonly id: string;
  /** A new store for the limiter with this prefix (a store must never be shared by two limiters). */
  create(limiterPrefix: string): Store;
}

/**
 * The stores `limits.store` asks for. With Redis, every limiter of the plugin shares one client
 * (kept across reloads while the URL stays the same) and writes under
 * `<redis.prefix>:<limiter prefix>:`, so replicas with the same config share each budget.
 *
 * @example
 * ```ts
 * const stores = limitStoresFor(config.limits, kept);
 * const store = stores.create('route:orders:0'); // keys figway:rl:route:orders:0:<key> with Redis
 * ```
 */
export function limitStoresFor(limits: LimitsConfig | undefined, kept: KeptAcrossReloads): LimitStores {
  if (limits?.store !== 'redis' || !limits.redis) return { id: 'memory', create: () => new MemoryStore() };
  const { url } = limits.redis;
  const { prefix } = fillRedis(limits.redis);
  // Taken on every setup, also when every limiter is kept, so the client lives as long as they do.
  // It connects on the first command only.
  const connection = kept.take(
    `redis-connection|${url}`,
    () => new RedisConnection(url, STORE_TIMEOUT_MS),
    (c) => c.close(),
  );
  return {
    id: `redis|${url}|${prefix}`,
    create: (limiterPrefix) => new RedisLimitStore((args) => connection.sendCommand(args), `${prefix}:${limiterPrefix}:`, STORE_TIMEOUT_MS),
  };
}
