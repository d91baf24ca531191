// A progressive rollout's schedule as pure functions of its entry: where it is, and where it goes next.
import type { ProgressiveEntry } from '../state/runtime-state.js';

/** A route's progressive rollout settings, compiled. */
export interface ProgressiveSettings {
  readonly steps: readonly number[];
  readonly minStepTimeMs: number;
  readonly minStepRequests: number;
  readonly guard: GuardSettings | undefined;
}

/** When the guard trips, and what it does then. */
export interface GuardSettings {
  readonly minRequests: number;
  readonly maxErrorRateIncrease: number;
  readonly maxP99Ratio: number;
  readonly minP99IncreaseMs: number;
  readonly onBreach: 'rollback' | 'previous';
}

/** The percent a schedule sends to the service: its step's, or 0 once rolled back. */
export function percentOf(entry: ProgressiveEntry): number {
  return entry.state === 'rolled-back' ? 0 : (entry.steps[entry.step] ?? 0);
}

/**
 * The entry for `steps`: the stored one when it runs these steps; a new schedule at the first step
 * when there is none; and when the config changed the steps, the highest new step not above the
 * percent serving now, so an edit never sends more traffic to the service than before.
 */
export function reconcile(steps: readonly number[], entry: ProgressiveEntry | undefined, now: number): ProgressiveEntry {
  if (!entry) return { steps, step: 0, state: 'running', since: now };
  if (sameSteps(steps, entry.steps)) return entry;
  const serving = percentOf(entry);
  let step = 0;
  for (let i = 0; i < steps.length; i++) if ((steps[i] as number) <= serving) step = i;
  const state = entry.state === 'done' && step < steps.length - 1 ? 'running' : entry.state;
  return { steps, step, state, since: now, reason: 'the config changed the steps' };
}

/** The next step, or done after the last. */
export function nextStep(entry: ProgressiveEntry, now: number): ProgressiveEntry {
  const last = entry.steps.length - 1;
  if (entry.step >= last) return { steps: entry.steps, step: last, state: 'done', since: now };
  return { steps: entry.steps, step: entry.step + 1, state: 'running', since: now };
}

/** What a guard breach leaves: 0% (rolled back), or the previous step, paused for a person to look. */
export function afterBreach(entry: ProgressiveEntry, onBreach: GuardSettings['onBreach'], reason: string, now: number): ProgressiveEntry {
  if (onBreach === 'previous' && entry.step > 0) return { steps: entry.steps, step: entry.step - 1, state: 'paused', since: now, reason };
  return { steps: entry.steps, step: entry.step, state: 'rolled-back', since: now, reason };
}

function sameSteps(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((value, i) => value === b[i]);
}
