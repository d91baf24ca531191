// The decide stage: legacy or service, from overrides, cohorts and the sticky bucket.
import { BUCKETS, bucketOf } from './bucket.js';
import { inCohort, type Cohort } from './cohorts.js';
import type { Decision, Side } from './decision.js';
import { overrideSide, type Override } from './override.js';
import type { RequestView } from './request-view.js';
import { findStickyKey, type StickySource } from './sticky-key.js';

/** A route's rollout, compiled. `threshold` is the percent in buckets (0 to 10000). */
export interface Rollout {
  readonly routeId: string;
  readonly percent: number;
  readonly threshold: number;
  readonly sticky: readonly StickySource[];
  readonly unkeyed: 'legacy' | 'service' | 'random';
  readonly cohorts: readonly { cohort: Cohort; side: Side }[];
  readonly override: Override | undefined;
  /** The kill switch is on: legacy for everyone, before anything else is looked at. */
  readonly killed: boolean;
}

/** Converts a percent (0 to 100, steps of 0.01) to buckets, exactly. */
export function percentToThreshold(percent: number): number {
  return Math.round(percent * (BUCKETS / 100));
}

/**
 * Decides the side of one request. Order: the kill switch, override (when enabled), cohorts (in the
 * order the route lists them), exact 0%/100%, then the sticky bucket; with no sticky key, the
 * `unkeyed` policy.
 *
 * @param random - returns a number in [0, 1); only used by `unkeyed: random` (injected for tests).
 */
export function decideSide(rollout: Rollout, view: RequestView, random: () => number): Decision {
  const { routeId, percent, threshold } = rollout;
  if (rollout.killed) return { routeId, side: 'legacy', reason: 'kill-switch', percent };
  if (rollout.override) {
    const side = overrideSide(rollout.override, view);
    if (side) return { routeId, side, reason: 'override', percent };
  }
  for (const { cohort, side } of rollout.cohorts) {
    if (inCohort(cohort, view)) return { routeId, side, reason: 'cohort', percent, cohort: cohort.name };
  }
  if (threshold <= 0) return { routeId, side: 'legacy', reason: 'percent', percent };
  if (threshold >= BUCKETS) return { routeId, side: 'service', reason: 'percent', percent };
  const found = findStickyKey(rollout.sticky, view);
  if (!found) {
    const side: Side = rollout.unkeyed === 'random' ? (random() * BUCKETS < threshold ? 'service' : 'legacy') : rollout.unkeyed;
    return { routeId, side, reason: 'unkeyed', percent };
  }
  const bucket = bucketOf(routeId, found.key);
  return { routeId, side: bucket < threshold ? 'service' : 'legacy', reason: 'bucket', percent, bucket, stickyKey: found.source.label };
}
