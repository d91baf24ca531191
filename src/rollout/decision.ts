// The decision: made once per request by the decide stage, read by every later stage, the logs and explain.
import { Type, type Static } from '@sinclair/typebox';

/** Where a request goes: the new service, or the monolith's own handler. */
export const SideSchema = Type.Union([Type.Literal('service'), Type.Literal('legacy')], { description: 'service (the new service) or legacy (the monolith).' });

/** Where a request goes: the new service, or the monolith's own handler. */
export type Side = Static<typeof SideSchema>;

/**
 * Why a request went where it did.
 * - `override`: the QA override header/cookie chose the side;
 * - `cohort`: the request is in a cohort the route forces to a side;
 * - `percent`: the route is at exactly 0% or 100%;
 * - `bucket`: the sticky key's bucket is below (service) or above (legacy) the percent;
 * - `unkeyed`: the request has none of the sticky keys, so the route's `unkeyed` policy applied;
 * - `kill-switch`: the kill switch is on, so every request goes to legacy;
 * - `breaker-open`: the service failed repeatedly and the route's circuit breaker sends it to legacy.
 */
export const DecisionReasonSchema = Type.Union(
  [
    Type.Literal('override'),
    Type.Literal('cohort'),
    Type.Literal('percent'),
    Type.Literal('bucket'),
    Type.Literal('unkeyed'),
    Type.Literal('kill-switch'),
    Type.Literal('breaker-open'),
  ],
  { description: 'Why: an override header or cookie, a cohort, the percent at exactly 0 or 100, the sticky bucket, no sticky key, the kill switch, an open breaker.' },
);

/** Why a request went where it did (see DecisionReasonSchema). */
export type DecisionReason = Static<typeof DecisionReasonSchema>;

/** The recorded decision of one request, as the context, the logs and explain carry it. */
export const DecisionSchema = Type.Object(
  {
    routeId: Type.String({ description: 'The route that decided.' }),
    side: SideSchema,
    reason: DecisionReasonSchema,
    percent: Type.Number({ description: "The route's percent when the decision was made." }),
    bucket: Type.Optional(Type.Integer({ minimum: 0, maximum: 9999, description: 'The bucket (0 to 9999) the sticky key hashed to.' })),
    stickyKey: Type.Optional(Type.String({ description: 'Which sticky source gave the key, e.g. header:x-user-id (never the key itself: it may be personal data).' })),
    cohort: Type.Optional(Type.String({ description: 'The cohort that forced the side.' })),
  },
  { additionalProperties: false, description: 'Where the request would go, and why.' },
);

/** The recorded decision of one request. */
export type Decision = Readonly<Static<typeof DecisionSchema>>;
