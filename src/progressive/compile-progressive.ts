// A route's progressive rollout (rollout.steps), compiled with its schedule reconciled against the runtime state.
import { parseDuration } from '../config-kit/units.js';
import type { ProgressiveEntry } from '../state/runtime-state.js';
import type { ProgressiveConfig } from './progressive-schema.js';
import { percentOf, reconcile, type ProgressiveSettings } from './schedule.js';

/** What of a route a progressive rollout reads and sets: its rollout's steps and percent. */
interface SteppedRoute {
  readonly rollout?: ProgressiveConfig & { readonly percent?: number };
}

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
  if (!rollout?.steps) return undefined;
  const entry = reconcile(rollout.steps, stored, now);
  const guard = rollout.guard === false ? undefined : rollout.guard;
  return {
    settings: {
      steps: rollout.steps,
      minStepTimeMs: parseDuration(rollout.minStepTime ?? '10m'),
      minStepRequests: rollout.minStepRequests ?? 100,
      guard: rollout.guard === false
        ? undefined
        : {
            minRequests: guard?.minRequests ?? 50,
            maxErrorRateIncrease: guard?.maxErrorRateIncrease ?? 0.02,
            maxP99Ratio: guard?.maxP99Ratio ?? 1.5,
            minP99IncreaseMs: parseDuration(guard?.minP99Increase ?? '20ms'),
            onBreach: guard?.onBreach ?? 'rollback',
          },
    },
    entry,
    stored: entry === stored,
  };
}
