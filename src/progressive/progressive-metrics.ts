// figway_progressive_events_total: what happened to progressive rollouts on this replica.
import type { Counter, Registry } from 'prom-client';
import { counterOn } from '../prometheus-metric.js';

export const PROGRESSIVE_EVENTS = 'figway_progressive_events_total';

/** The counter of progressive rollout events, on the app's registry. */
export function progressiveEvents(registry: Registry): Counter<'route' | 'event'> {
  return counterOn(registry, PROGRESSIVE_EVENTS, 'What happened to progressive rollouts on this replica: start, step, done, breach (the guard rolled back), pause, resume, promote, rollback.', ['route', 'event']);
}
