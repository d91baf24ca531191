// figway_circuit_breaker_state: each route's circuit breaker, on this replica.
import type { RouteGauge } from '../prometheus-metric.js';
import { DEFAULT_PERCENT } from '../rollout/rollout-schema.js';
import type { RouteInfo } from '../types.js';
import type { BreakerState, CircuitBreakers } from './circuit-breaker.js';

export const BREAKER_STATE = 'figway_circuit_breaker_state';

/** figway_circuit_breaker_state's values. */
const BREAKER_STATE_VALUES: Readonly<Record<BreakerState, number>> = { closed: 0, 'half-open': 1, open: 2 };

/** The breaker gauge of one gateway's breakers, for the metrics plugin to register. */
export function breakerGauge(breakers: Pick<CircuitBreakers, 'state'>): RouteGauge {
  return {
    name: BREAKER_STATE,
    help: 'The circuit breaker of each route with one (fallback.breaker), on this replica: 0 closed (requests go to the service), 1 half-open (one probe request does), 2 open (legacy serves the route).',
    value: (route) => (hasLiveBreaker(route) ? BREAKER_STATE_VALUES[breakers.state(route.id)] : undefined),
  };
}

/**
 * A route with a breaker that still sends traffic to its service. Once rolled back to 0% or killed, no
 * probe goes out to move its breaker, so its state says nothing: the series goes (and its alert ends).
 */
function hasLiveBreaker(route: RouteInfo): boolean {
  const { fallback, rollout } = route.config;
  if (!fallback || fallback.breaker === false || route.killed) return false;
  return (rollout?.percent ?? DEFAULT_PERCENT) > 0 || Object.values(rollout?.cohorts ?? {}).includes('service');
}
