// A route's progressive rollout (rollout.steps), compiled with its schedule reconciled against the runtime state.
import { parseDuration } from '../config-kit/units.js';
import type { ProgressiveEntry } from '../state/runtime-state.js';
import { defaultsFiller } from '../config-kit/schema-defaults.js';
import { Guard, STEP_DEFAULTS, type ProgressiveConfig } from './progressive-schema.js';
import { percentOf, reconcile, type ProgressiveSettings } from './schedule.js';

/** What of a route a progressive rollout reads and sets: its rollout's steps and percent. */
interface SteppedRoute {
  readonly rollout?: ProgressiveConfig & { readonly percent?: number };
}

const fillGuard = defaultsFiller(Guard, ['minRequests', 'maxErrorRateIncrease', 'maxP99Ratio', 'minP99Increase', 'onBreach']);

/** A route's progressive rollout, compiled with its schedule from the runtime state. */
export interface CompiledProgressive {
  readonly settings: ProgressiveSettings;
  /** The schedule (reconciled with the config's steps), as it serves now. */
  readonly entry: ProgressiveEntry;
  /** False until the state store holds this schedule (new route, or changed steps). */
  readonly stored: boolean;
}

/** The route with a progressive rollout's percent set by its stored schedule, whatever else was changed; as is without steps. */
export function withScheduledPercent<R extends SteppedRoute>(route: R, stored: ProgressiveEntry | undefined): R {
  const steps = route.rollout?.steps;
  return steps ? { ...route, rollout: { ...route.rollout, percent: percentOf(reconcile(steps, stored, 0)) } } : route;
}

/** The route's progressive settings with their defaults, and where its schedule is at `now`; undefined without steps. */
export function compileProgressive(rollout: ProgressiveConfig | undefined, stored: ProgressiveEntry | undefined, now: number): CompiledProgressive | undefined {
  const steps = rollout?.steps;
  if (!steps) return undefined;
  const { minStepTime = STEP_DEFAULTS.minStepTime, minStepRequests = STEP_DEFAULTS.minStepRequests, guard } = rollout;
  const entry = reconcile(steps, stored, now);
  const settings = guard === false ? undefined : fillGuard(guard);
  return {
    settings: {
      steps,
      minStepTimeMs: parseDuration(minStepTime),
      minStepRequests,
      guard: settings && {
        minRequests: settings.minRequests,
        maxErrorRateIncrease: settings.maxErrorRateIncrease,
        maxP99Ratio: settings.maxP99Ratio,
        minP99IncreaseMs: parseDuration(settings.minP99Increase),
        onBreach: settings.onBreach,
      },
    },
    entry,
    stored: entry === stored,
  };
}
