// The schema of explain's answer (explain.ts builds it): documented, tested, typed for the CLI.
import { Type } from '@sinclair/typebox';
import { DecisionSchema } from '../rollout/decision.js';
import { UpstreamViewSchema } from './route-view-schema.js';


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
