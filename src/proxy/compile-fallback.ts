// A route's `fallback` config, compiled to what dispatch reads when the service fails.
import type { RouteFeature } from '../config-kit/route-feature.js';
import { defaultsFiller } from '../config-kit/schema-defaults.js';
import { Breaker, Fallback, FallbackView, type FallbackConfig } from './fallback-schema.js';
import { parseDuration } from '../config-kit/units.js';
import type { BreakerSettings, BreakerState, UpstreamFailure } from './circuit-breaker.js';

const fillFallback = defaultsFiller(Fallback, ['on']);
const fillBreaker = defaultsFiller(Breaker, ['failures', 'cooldown']);

/** A route's `fallback`, compiled. */
export interface CompiledFallback {
  /** The connection failures legacy serves: refused, timeout, tls. */
  readonly on: ReadonlySet<'refused' | 'timeout' | 'tls'>;
  readonly statuses: ReadonlySet<number>;
  readonly breaker: BreakerSettings | undefined;
}

/** The route's `fallback` with its defaults applied; undefined without one. */
export function compileFallback(fallback: FallbackConfig | undefined): CompiledFallback | undefined {
  if (!fallback) return undefined;
  const { on, breaker } = fillFallback(fallback);
  const settings = breaker === false ? undefined : fillBreaker(breaker);
  return {
    on: new Set(on.filter((o): o is 'refused' | 'timeout' | 'tls' => typeof o === 'string')),
    statuses: new Set(on.filter((o): o is number => typeof o === 'number')),
    breaker: settings && { failures: settings.failures, cooldownMs: parseDuration(settings.cooldown) },
  };
}

/** Fallback to legacy as a route feature: the `fallback` key's schema and its compile step. */
export const fallbackFeature: RouteFeature<typeof Fallback, CompiledFallback | undefined, typeof FallbackView, FallbackLive> = {
  schema: Fallback,
  compile: compileFallback,
  view: {
    fields: FallbackView,
    show: ({ id, compiled }, live) => ({ breaker: compiled?.breaker ? live.breaker(id) : null, lastUpstreamError: live.lastFailure(id) ?? null }),
  },
};

/** What the fallback's view reads of the running gateway. */
export interface FallbackLive {
  /** The circuit breaker of a route with a fallback, on this replica. */
  breaker(routeId: string): BreakerState;
  /** The latest failure of a route's service on this replica (also one legacy absorbed). */
  lastFailure(routeId: string): UpstreamFailure | undefined;
}
