// figway_migration_endpoints{state}: how many monolith endpoints are in each state of the migration, for a dashboard panel.
import { Gauge, type Registry } from 'prom-client';
import { metricOn } from '../prometheus-metric.js';
import { ENDPOINT_STATES } from './map-schema.js';

export const MIGRATION_ENDPOINTS = 'figway_migration_endpoints';

/**
 * Registers the gauge; each scrape reads `byState`, the count per state of the latest map (made
 * every 10 s and on every GET /map), so a scrape never walks the app or waits for the store.
 *
 * @example
 * ```ts
 * migrationEndpointsGauge(registry, () => map.endpointsByState());
 * // figway_migration_endpoints{state="rolling-out"} 3
 * ```
 */
export function migrationEndpointsGauge(registry: Registry, byState: () => Readonly<Record<string, number>>): void {
  metricOn(
    registry,
    MIGRATION_ENDPOINTS,
    (registers) =>
      new Gauge({
        name: MIGRATION_ENDPOINTS,
        help: 'Monolith endpoints per migration state (legacy-only, rolling-out, at-100, ready-to-retire), from the latest migration map.',
        labelNames: ['state'],
        registers,
        collect() {
          const counts = byState();
          for (const state of ENDPOINT_STATES) this.set({ state }, counts[state] ?? 0);
        },
      }),
  );
}
