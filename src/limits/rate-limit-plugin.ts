// The built-in `rate-limit` plugin: a global budget and per-route budgets, with express-rate-limit, in memory or Redis.
import { parseDuration } from '../config-kit/units.js';
import { LIMITS_KEYS, type LimitsConfig, type RouteLimitsConfig } from './limits-schema.js';
import { FigwayError } from '../errors.js';
import type { FigwayContext, FigwayPlugin, PluginRoute } from '../types.js';
import { KeptAcrossReloads } from './kept-across-reloads.js';
import { compileLimitKey } from './limit-key.js';
import { limitStoresFor, type LimitStores } from './limit-stores.js';
import { createLimiter, type Limiter, type LimiterSettings } from './limiter.js';
import { StoreOutageLog, type StoreErrorPolicy } from './store-outage-log.js';
import { createTrustProxyWarning } from './trust-proxy-warning.js';
import type { Diagnostics } from '../diagnostics.js';

type RateLimitConfig = NonNullable<LimitsConfig['global']>;
type RouteLimits = RouteLimitsConfig | undefined;

/** One budget a request spends: a limiter and how to find the caller's key for it. */
interface Budget {
  readonly limiter: Limiter;
  readonly keyOf: (ctx: FigwayContext) => string;
}

export interface RateLimitPluginOptions {
  /** Where store outages are reported (throttled) and a permissive trust proxy is said. */
  diagnostics: Diagnostics;
  /** Clock in milliseconds, for throttling those reports. Default: Date.now. */
  now?: () => number;
}

/**
 * The `rate-limit` plugin. `limits.global` is one budget over every matched request; each entry of
 * a route's `limits` is a budget of its own (`limits: false`: only the global one). The global
 * budget is spent first, so every matched request counts there. A request over a budget gets 429
 * FIGWAY_RATE_LIMITED in the configured error shape, with draft-8 `RateLimit`/`RateLimit-Policy`
 * headers and `Retry-After`. Counters survive reloads for budgets whose settings did not change.
 * When the store fails, `limits.onStoreError` decides: `open` lets the request through, `closed`
 * answers 503 FIGWAY_RATE_LIMIT_UNAVAILABLE; either way it is logged at most every few seconds.
 *
 * @example
 * ```yaml
 * limits:
 *   store: redis
 *   redis: { url: redis://127.0.0.1:6379 }
 *   onStoreError: open
 *   global: { limit: 1000, window: 1m }
 * routes:
 *   - id: orders
 *     match: { path: /api/orders }
 *     upstream: orders
 *     limits: [{ limit: 10, window: 1s }, { limit: 100, window: 1m, key: [header:x-tenant, ip] }]
 * ```
 */
export function rateLimitPlugin(options: RateLimitPluginOptions): FigwayPlugin<Record<string, never>, { limits: LimitsConfig }, { limits: RouteLimits }> {
  const kept = new KeptAcrossReloads();
  const outage = new StoreOutageLog(options.diagnostics, options.now ?? Date.now);
  const warnTrustProxy = createTrustProxyWarning(options.diagnostics);
  return {
    name: 'rate-limit',
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {},
      description: 'Rate limits are configured under `limits` (global) and each route\'s `limits`; `rate-limit: false` switches them off.',
    },
    configKeys: LIMITS_KEYS.config,
    routeKeys: LIMITS_KEYS.route,
    setup: ({ sections: { limits }, routes }) => {
      kept.begin();
      const stores = limitStoresFor(limits, kept);
      const budget = (prefix: string, limit: RateLimitConfig): Budget => {
        const settings: LimiterSettings = { prefix, limit: limit.limit, windowMs: parseDuration(limit.window) };
        const limiter = kept.take(
          `limiter|${stores.id}|${prefix}|${settings.limit}|${settings.windowMs}`,
          () => createLimiter(settings, stores.create(prefix)),
          (l) => l.shutdown(),
        );
        return { limiter, keyOf: compileLimitKey(limit.key) };
      };
      const budgets = budgetsByRoute(limits?.global, routes, budget);
      if (budgets.size === 0) return {};
      const policy: StoreErrorPolicy = limits?.onStoreError ?? 'closed';
      return {
        onLimit: (ctx) => {
          const list = budgets.get(ctx.route.id);
          return list && spend(ctx, list, policy, outage, warnTrustProxy);
        },
      };
    },
    onConfig: (event) => (event.kind === 'rejected' ? kept.abandon() : kept.commit()),
    close: () => kept.close(),
  };
}

/** Each route's budgets, global first; routes without any, or with the plugin off (not in `routes`), are left out. */
function budgetsByRoute(
  globalLimit: RateLimitConfig | undefined,
  routes: readonly PluginRoute<{ limits: RouteLimits }>[],
  budget: (prefix: string, limit: RateLimitConfig) => Budget,
): Map<string, readonly Budget[]> {
  // Made only when some route uses it: a plugin switched off must not hold counters or reach Redis.
  let global: readonly Budget[] | undefined;
  const byRoute = new Map<string, readonly Budget[]>();
  for (const { route, sections } of routes) {
    global ??= globalLimit ? [budget('global', globalLimit)] : [];
    const own = routeLimits(sections.limits).map((limit, index) => budget(`route:${route.id}:${index}`, limit));
    const list = [...global, ...own];
    if (list.length > 0) byRoute.set(route.id, list);
  }
  return byRoute;
}

function routeLimits(limits: RouteLimits): readonly RateLimitConfig[] {
  if (limits === undefined || limits === false) return [];
  return Array.isArray(limits) ? limits : [limits];
}

/**
 * Spends one unit of each budget in turn, from `from`; stops at the first that refuses, throwing
 * (or rejecting with) its FigwayError: 429 FIGWAY_RATE_LIMITED, or 503 FIGWAY_RATE_LIMIT_UNAVAILABLE
 * when the store failed and `onStoreError` is closed. Only a store's count is waited for, and
 * nothing when the store counts at once.
 */
function spend(
  ctx: FigwayContext,
  budgets: readonly Budget[],
  policy: StoreErrorPolicy,
  outage: StoreOutageLog,
  warnTrustProxy: (ctx: FigwayContext) => void,
  from = 0,
): Promise<void> | undefined {
  const budget = budgets[from];
  if (budget === undefined) return undefined;
  const key = budget.keyOf(ctx);
  if (key.startsWith('ip:')) warnTrustProxy(ctx);
  const next = (): Promise<void> | undefined => {
    outage.succeeded();
    if (ctx.res.writableEnded || ctx.res.destroyed) return undefined;
    return spend(ctx, budgets, policy, outage, warnTrustProxy, from + 1);
  };
  const failed = (err: unknown): Promise<void> | undefined => {
    // Over the budget: the store counted, so it is reachable; the refusal is answered as it goes up.
    if (err instanceof FigwayError && err.code === 'FIGWAY_RATE_LIMITED') outage.succeeded();
    if (!(err instanceof FigwayError) || err.code !== 'FIGWAY_RATE_LIMIT_UNAVAILABLE') throw err;
    outage.failed(err, policy);
    if (policy === 'closed') throw err;
    return spend(ctx, budgets, policy, outage, warnTrustProxy, from + 1);
  };
  let counted: void | Promise<void>;
  try {
    counted = budget.limiter.check(ctx.res, key);
  } catch (err) {
    return failed(err);
  }
  return counted instanceof Promise ? counted.then(next, failed) : next();
}
