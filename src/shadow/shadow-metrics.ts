// figway_shadow_comparisons_total: how shadowed requests ended, by route.
import type { Counter, Registry } from 'prom-client';
import { counterOn } from '../prometheus-metric.js';

export const SHADOW_COMPARISONS = 'figway_shadow_comparisons_total';

/** The counter of shadowed requests by result, on the app's registry. */
export function shadowComparisons(registry: Registry): Counter<'route' | 'result'> {
  return counterOn(registry, SHADOW_COMPARISONS, 'Shadowed requests by result: match, mismatch, or skipped (shadow side failed, timed out, body too large, too many in flight).', ['route', 'result']);
}
