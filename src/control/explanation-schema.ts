// The schema of explain's answer (explain.ts builds it): documented, tested, typed for the CLI.
import { Type } from '@sinclair/typebox';
import { UpstreamViewSchema } from './route-view-schema.js';

const SideSchema = Type.Union([Type.Literal('service'), Type.Literal('legacy')], { description: 'service (the new service) or legacy (the monolith).' });

/** A decision as explain shows it: the same fields the logs and the request context carry (src/rollout/decision.ts). */
const DecisionSchema = Type.Object(
  {
    routeId: Type.String({ description: 'The route that decided.' }),
    side: SideSchema,
    reason: Type.Union(
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
    ),
    percent: Type.Number({ description: "The route's percent when the decision was made." }),
    bucket: Type.Optional(Type.Integer({ minimum: 0, maximum: 9999, description: 'The bucket (0 to 9999) the sticky key hashed to.' })),
    stickyKey: Type.Optional(Type.String({ description: 'Which sticky source gave the key, e.g. header:x-user-id (never the key itself).' })),
    cohort: Type.Optional(Type.String({ description: 'The cohort that forced the side.' })),
  },
  { additionalProperties: false, description: 'Where the request would go, and why.' },
);

/** What figway would do with a request: no route (the monolith serves it, or figway refuses it), or a route, a service path and a side. */
export const ExplanationSchema = Type.Union(
  [
    Type.Object(
      {
        matched: Type.Literal(false, { description: 'No route takes the request: the monolith serves it, unless `refused` says figway would answer 400.' }),
        refused: Type.Optional(Type.String({ description: 'Why figway would answer 400 FIGWAY_REQUEST_BAD_PATH: the path is ambiguous (an encoded slash, bad percent-encoding...) and one reading of it reaches a route.' })),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        matched: Type.Literal(true, { description: 'A route takes the request.' }),
        route: Type.String({ description: 'The route id.' }),
        path: Type.String({ description: 'The normalised public path that was matched.' }),
        upstream: UpstreamViewSchema,
        upstreamPath: Type.String({ description: 'Path and query string as the service would receive them.' }),
        decision: DecisionSchema,
        sticky: Type.Array(Type.String(), { description: "The route's sticky keys, in the order they are looked for (user, ip, header:x-user-id...)." }),
        random: Type.Optional(Type.Literal(true, { description: 'Present when the side depends on chance (unkeyed: random without a sticky key).' })),
      },
      { additionalProperties: false },
    ),
  ],
  { description: 'What figway would do with the request.' },
);
