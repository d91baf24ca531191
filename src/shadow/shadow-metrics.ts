// figway_shadow_comparisons_total: how shadowed requests ended, by route.
import { Counter, type Registry } from 'prom-client';
import { metricOn } from '../prometheus-metric.js';

export const SHADOW_COMPARISONS = 'figway_shadow_comparisons_total';

/** The counter of shadowed requests by result, on the app's registry. */
export function shadowComparisons(registry: Registry): Counter<'route' | 'result'> {
  return metricOn(registry, SHADOW_COMPARISONS, (registers) => new Counter({
    name: SHADOW_COMPARISONS,
    help: 'Shadowed requests by result: match, mismatch, or skipped (shadow side failed, timed out, body too large, too many in flight).',
    labelNames: ['route', 'result'],
    registers,
  }));
}
