// figway_progressive_events_total: what happened to progressive rollouts on this replica.
import { Counter, type Registry } from 'prom-client';
import { metricOn } from '../prometheus-metric.js';

export const PROGRESSIVE_EVENTS = 'figway_progressive_events_total';

/** The counter of progressive rollout events, on the app's registry. */
export function progressiveEvents(registry: Registry): Counter<'route' | 'event'> {
  return metricOn(registry, PROGRESSIVE_EVENTS, (registers) => new Counter({
    name: PROGRESSIVE_EVENTS,
    help: 'What happened to progressive rollouts on this replica: start, step, done, breach (the guard rolled back), pause, resume, promote, rollback.',
    labelNames: ['route', 'event'],
    registers,
  }));
}
