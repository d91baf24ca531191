// The cross-field rules of the rate-limit plugin's sections that their schema cannot say: a complete Redis store, windows Node's timers can keep.
import type { ConfigCheck } from '../config-kit/config-source.js';
import { MAX_TIMER_MS, parseDuration } from '../config-kit/units.js';
import type { LimitsConfig, RouteLimitsConfig } from './limits-schema.js';

/** What of a config these rules read: the limits section, and each route's limits. */
interface WithLimits {
  readonly limits?: LimitsConfig;
  readonly routes: readonly { readonly limits?: RouteLimitsConfig }[];
}

/** The rate-limit plugin's checks, by name (config/check-config.ts runs them with the rest). */
export const LIMITS_CHECKS = {
  limitsStoreIsComplete(config, source) {
    const limits = config.limits;
    if (limits?.store !== 'redis') return [];
    const problems = [];
    if (!limits.redis) problems.push(source.problem(['limits', 'redis'], 'is required when store is redis'));
    if (!limits.onStoreError) problems.push(source.problem(['limits', 'onStoreError'], 'is required when store is redis: say what happens when Redis is down (open or closed)'));
    return problems;
  },

  limitWindowsFitTimers(config, source) {
    // The in-memory store clears expired counters on a timer of the window's length.
    const places: [(string | number)[], string | number][] = [];
    if (config.limits?.global) places.push([['limits', 'global', 'window'], config.limits.global.window]);
    config.routes.forEach((route, index) => {
      const { limits } = route;
      if (limits === undefined || limits === false) return;
      if (Array.isArray(limits)) limits.forEach((limit, at) => places.push([['routes', index, 'limits', at, 'window'], limit.window]));
      else places.push([['routes', index, 'limits', 'window'], limits.window]);
    });
    return places.flatMap(([path, window]) => {
      const ms = parseDuration(window);
      if (ms < 1) return [source.problem(path, 'must be at least 1ms')];
      if (ms > MAX_TIMER_MS) return [source.problem(path, 'must be at most 24 days')];
      return [];
    });
  },
} satisfies Record<string, ConfigCheck<WithLimits>>;
