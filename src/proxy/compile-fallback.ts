// A route's `fallback` config, compiled to what dispatch reads when the service fails.
import type { FallbackConfig } from './fallback-schema.js';
import { parseDuration } from '../config-kit/units.js';
import type { BreakerSettings } from './circuit-breaker.js';

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
  const on = fallback.on ?? ['refused', 'timeout', 502, 503, 504];
  const breaker = fallback.breaker === false ? undefined : { failures: fallback.breaker?.failures ?? 5, cooldownMs: parseDuration(fallback.breaker?.cooldown ?? '30s') };
  return { on: new Set(on.filter((o): o is 'refused' | 'timeout' | 'tls' => typeof o === 'string')), statuses: new Set(on.filter((o): o is number => typeof o === 'number')), breaker };
}
