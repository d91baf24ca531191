// A metric on an app's prom-client registry, made once per registry, and the shape of a per-route gauge a capability contributes.
import { Counter, type Registry } from 'prom-client';
import type { RouteInfo } from './types.js';

/**
 * The registry's metric of that name, or `create`'s: a second figway on one registry (or a
 * capability asked twice) shares the metric instead of failing with "already registered".
 *
 * @example
 * ```ts
 * const events = metricOn(registry, 'figway_progressive_events_total', (registers) =>
 *   new Counter({ name: 'figway_progressive_events_total', help: '...', labelNames: ['route', 'event'], registers }));
 * ```
 */
export function metricOn<T>(registry: Registry, name: string, create: (registers: Registry[]) => T): T {
  return (registry.getSingleMetric(name) as T | undefined) ?? create([registry]);
}

/**
 * The registry's counter of that name, made with `help` and `labelNames` on first use.
 *
 * @example
 * ```ts
 * const failures = counterOn(registry, 'figway_auth_failures_total', 'Authentications that failed...', ['route', 'outcome']);
 * ```
 */
export function counterOn<L extends string>(registry: Registry, name: string, help: string, labelNames: readonly L[]): Counter<L> {
  return metricOn(registry, name, (registers) => new Counter({ name, help, labelNames, registers }));
}

/**
 * A gauge with one series per route (label `route`), read when Prometheus scrapes. A capability
 * declares it; the metrics plugin registers it and reads it over the routes serving now.
 */
export interface RouteGauge {
  readonly name: string;
  readonly help: string;
  /** The route's value, or undefined for no series. */
  value(route: RouteInfo): number | undefined;
}
