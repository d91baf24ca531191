// A route's progressive rollout (`rollout.steps` and its guard): the fields the config composes into `rollout`.
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { defaulted, saidDefault } from '../config-kit/schema-defaults.js';
import { Duration } from '../config-kit/schema-parts.js';

/** The guard's settings (`rollout.guard`, unless false). */
export const Guard = Type.Object(
  {
    minRequests: Type.Optional(
      defaulted(Type.Integer({ minimum: 1, description: 'Requests each side needs at this step, within the live-stats window, before the guard judges.' }), 50),
    ),
    maxErrorRateIncrease: Type.Optional(
      defaulted(
        Type.Number({ minimum: 0, maximum: 1, description: "Service error rate (5xx, timeouts, fallbacks) minus legacy's, above which the guard trips." }),
        0.02,
        '0.02 (2 points)',
      ),
    ),
    maxP99Ratio: Type.Optional(defaulted(Type.Number({ minimum: 1, description: "Service p99 latency over legacy's, above which the guard trips." }), 1.5)),
    minP99Increase: Type.Optional(
      defaulted(
        Duration(
          'A slower service p99 trips the guard only when it is also this much above legacy, so a legacy handler answering in under a millisecond in-process does not make every network hop a breach.',
        ),
        '20ms',
      ),
    ),
    onBreach: Type.Optional(
      defaulted(
        Type.Union([Type.Literal('rollback'), Type.Literal('previous')], {
          description: 'rollback: to 0% (rolled-back); previous: back one step, paused.',
        }),
        'rollback',
      ),
    ),
  },
  { additionalProperties: false, description: 'The guard settings.' },
);

/**
 * How long, and over how many requests, a step holds at least. Said in the descriptions, not schema
 * `default`s: these fields are refused on a route without steps.
 */
export const STEP_DEFAULTS = { minStepTime: '10m', minStepRequests: 100 } as const;

/** The fields of a route's `rollout` that run a progressive rollout. */
export const PROGRESSIVE_FIELDS = {
  steps: Type.Optional(
    Type.Array(Type.Number({ minimum: 0, maximum: 100, multipleOf: 0.01 }), {
      minItems: 1,
      description:
        'A progressive rollout: percents taken one after the other, e.g. [1, 10, 50, 100], each once minStepTime and minStepRequests are met and the guard holds. Replaces percent. The schedule lives in the state store.',
    }),
  ),
  minStepTime: Type.Optional(saidDefault(Duration('Least time at a step before the next.'), STEP_DEFAULTS.minStepTime)),
  minStepRequests: Type.Optional(
    saidDefault(
      Type.Integer({ minimum: 0, description: 'Least requests the service served at a step (counted by each replica on its own) before the next.' }),
      STEP_DEFAULTS.minStepRequests,
    ),
  ),
  guard: Type.Optional(
    Type.Union([Guard, Type.Literal(false)], {
      description: 'Compares the service with legacy on this route while the steps run, and rolls back when the service does worse. false turns it off.',
    }),
  ),
};

/** A route's progressive fields, as the file has them. */
export type ProgressiveConfig = Static<TObject<typeof PROGRESSIVE_FIELDS>>;
