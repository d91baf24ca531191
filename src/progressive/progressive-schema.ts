// A route's progressive rollout (`rollout.steps` and its guard): the fields the config composes into `rollout`.
import { Type, type Static, type TObject } from '@sinclair/typebox';
import { Duration } from '../config-kit/schema-parts.js';

/** The fields of a route's `rollout` that run a progressive rollout. */
export const PROGRESSIVE_FIELDS = {
    steps: Type.Optional(
      Type.Array(Type.Number({ minimum: 0, maximum: 100, multipleOf: 0.01 }), {
        minItems: 1,
        description:
          'A progressive rollout: percents taken one after the other, e.g. [1, 10, 50, 100], each once minStepTime and minStepRequests are met and the guard holds. Replaces percent. The schedule lives in the state store.',
      }),
    ),
    minStepTime: Type.Optional(Duration('Least time at a step before the next. Default 10m.')),
    minStepRequests: Type.Optional(
      Type.Integer({ minimum: 0, description: 'Least requests the service served at a step (counted by each replica on its own) before the next. Default 100.' }),
    ),
    guard: Type.Optional(
      Type.Union(
        [
          Type.Object(
            {
              minRequests: Type.Optional(Type.Integer({ minimum: 1, description: 'Requests each side needs at this step, within the live-stats window, before the guard judges. Default 50.' })),
              maxErrorRateIncrease: Type.Optional(
                Type.Number({ minimum: 0, maximum: 1, description: "Service error rate (5xx, timeouts, fallbacks) minus legacy's, above which the guard trips. Default 0.02 (2 points)." }),
              ),
              maxP99Ratio: Type.Optional(Type.Number({ minimum: 1, description: "Service p99 latency over legacy's, above which the guard trips. Default 1.5." })),
              minP99Increase: Type.Optional(
                Duration(
                  'A slower service p99 trips the guard only when it is also this much above legacy, so a legacy handler answering in under a millisecond in-process does not make every network hop a breach. Default 20ms.',
                ),
              ),
              onBreach: Type.Optional(
                Type.Union([Type.Literal('rollback'), Type.Literal('previous')], {
                  description: 'rollback: to 0% (rolled-back); previous: back one step, paused. Default rollback.',
                }),
              ),
            },
            { additionalProperties: false, description: 'The guard settings.' },
          ),
          Type.Literal(false),
        ],
        { description: 'Compares the service with legacy on this route while the steps run, and rolls back when the service does worse. false turns it off.' },
      ),
    ),
};

/** A route's progressive fields, as the file has them. */
export type ProgressiveConfig = Static<TObject<typeof PROGRESSIVE_FIELDS>>;
