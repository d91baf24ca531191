// figway_rollout_percent: the share of traffic each route sends to its service, as configured now.
import type { RouteGauge } from '../prometheus-metric.js';
import { DEFAULT_PERCENT } from './rollout-schema.js';

export const ROLLOUT_PERCENT = 'figway_rollout_percent';

/** The rollout gauge, for the metrics plugin to register. */
export const rolloutGauge: RouteGauge = {
  name: ROLLOUT_PERCENT,
  help: 'Share of traffic each route sends to its service, 0 to 100, as configured now (runtime changes included; 0 while the kill switch is on).',
  value: (route) => (route.killed ? 0 : (route.config.rollout?.percent ?? DEFAULT_PERCENT)),
};
