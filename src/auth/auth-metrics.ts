// figway_auth_failures_total: authentications that failed, by route and outcome.
import type { Counter, Registry } from 'prom-client';
import { counterOn } from '../prometheus-metric.js';

export const AUTH_FAILURES = 'figway_auth_failures_total';

/** The counter of failed and throttled authentications, on the app's registry. */
export function authFailures(registry: Registry): Counter<'route' | 'outcome'> {
  return counterOn(registry, AUTH_FAILURES, 'Authentications that failed, by route and outcome: invalid (wrong credentials, counted by auth.throttle) or throttled (refused unchecked, 429).', ['route', 'outcome']);
}
