// figway_auth_failures_total: authentications that failed, by route and outcome.
import { Counter, type Registry } from 'prom-client';
import { metricOn } from '../prometheus-metric.js';

export const AUTH_FAILURES = 'figway_auth_failures_total';

/** The counter of failed and throttled authentications, on the app's registry. */
export function authFailures(registry: Registry): Counter<'route' | 'outcome'> {
  return metricOn(registry, AUTH_FAILURES, (registers) => new Counter({
    name: AUTH_FAILURES,
    help: 'Authentications that failed, by route and outcome: invalid (wrong credentials, counted by auth.throttle) or throttled (refused unchecked, 429).',
    labelNames: ['route', 'outcome'],
    registers,
  }));
}
