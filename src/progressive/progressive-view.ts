// A progressive rollout as the admin route view shows it: where its schedule is, and its guard.
import { Type, type Static } from '@sinclair/typebox';
import type { CompiledProgressive } from './compile-progressive.js';

const GuardView = Type.Object(
  {
    minRequests: Type.Integer({ description: 'Requests each side needs at a step, within the live-stats window, before the guard judges.' }),
    maxErrorRateIncrease: Type.Number({ description: "Service error rate minus legacy's above which the guard trips (0.02: 2 points)." }),
    maxP99Ratio: Type.Number({ description: "Service p99 latency over legacy's above which the guard trips." }),
    minP99IncreaseMs: Type.Number({ description: 'Milliseconds the service p99 must also be above legacy for a slower p99 to trip the guard.' }),
    onBreach: Type.Union([Type.Literal('rollback'), Type.Literal('previous')], { description: 'rollback: to 0% (rolled-back); previous: back one step, paused.' }),
  },
  { additionalProperties: false, description: 'The guard with its defaults applied.' },
);

/** A progressive rollout, in the admin route view. */
export const ProgressiveView = Type.Object(
  {
    steps: Type.Array(Type.Number(), { description: 'The percents the schedule runs through, in order.' }),
    step: Type.Integer({ minimum: 0, description: 'Index into steps of the current step.' }),
    state: Type.Union([Type.Literal('running'), Type.Literal('paused'), Type.Literal('done'), Type.Literal('rolled-back')], {
      description: 'running (steps taken automatically), paused, done (last step reached) or rolled-back (0%).',
    }),
    percent: Type.Number({ description: 'The percent serving now (0 once rolled back).' }),
    since: Type.String({ format: 'date-time', description: 'When the current step (or state) began, ISO 8601.' }),
    requestsAtStep: Type.Integer({ minimum: 0, description: 'Requests the service served at the current step, on this replica.' }),
    minStepRequests: Type.Integer({ minimum: 0, description: 'Requests the service must serve at a step before the next.' }),
    nextAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
      description: 'While running, the earliest time of the next step (it also waits for minStepRequests and a guard that holds); null otherwise.',
    }),
    reason: Type.Union([Type.String(), Type.Null()], { description: 'Why it last stopped or went back (a guard breach, an operator), or null.' }),
    guard: Type.Union([GuardView, Type.Null()], { description: 'The guard comparing the service with legacy at each step, or null when rollout.guard is false.' }),
  },
  { additionalProperties: false, description: 'Where the progressive rollout is.' },
);

/**
 * The route's progressive rollout for the view: `percent` is the one serving now, and
 * `requestsAtStep` the requests the service served at this step on this replica.
 */
export function progressiveView(progressive: CompiledProgressive, percent: number, requestsAtStep: number): Static<typeof ProgressiveView> {
  const { settings, entry } = progressive;
  return {
    steps: [...entry.steps],
    step: entry.step,
    state: entry.state,
    percent,
    since: new Date(entry.since).toISOString(),
    requestsAtStep,
    minStepRequests: settings.minStepRequests,
    // The earliest the next step can come; it also waits for the requests and a guard that holds.
    nextAt: entry.state === 'running' ? new Date(entry.since + settings.minStepTimeMs).toISOString() : null,
    reason: entry.reason ?? null,
    guard: settings.guard ?? null,
  };
}
