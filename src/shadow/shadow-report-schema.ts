// The schema of what shadow traffic found on a route (shadow-book.ts keeps it): documented, tested, typed for the CLI.
import { Type } from '@sinclair/typebox';
import { Shadow } from './shadow-schema.js';

const Side = (description: string) => Type.Union([Type.Literal('service'), Type.Literal('legacy')], { description });

/** One mismatching (or failed) pair, redacted and size-capped. */
export const ShadowSampleSchema = Type.Object(
  {
    at: Type.String({ format: 'date-time', description: 'When the request came, ISO 8601.' }),
    request: Type.Object(
      {
        method: Type.String({ description: 'HTTP method.' }),
        path: Type.String({ description: 'Path, with the query string redacted.' }),
      },
      { additionalProperties: false, description: 'The request both sides got.' },
    ),
    primary: Type.Object(
      {
        side: Side('The side that answered the client.'),
        status: Type.Integer({ description: 'Its status.' }),
      },
      { additionalProperties: false, description: 'The side whose response the client got.' },
    ),
    shadow: Type.Object(
      {
        side: Side('The side that got the copy.'),
        status: Type.Optional(Type.Integer({ description: 'Its status, when it answered.' })),
        error: Type.Optional(Type.String({ description: 'Why it gave no answer to compare (failed, timed out).' })),
      },
      { additionalProperties: false, description: 'The side that got the copy, whose response nobody saw.' },
    ),
    differences: Type.Array(Type.String(), { description: 'What differed (status, a header, a JSON path of the body), values cut and credentials hidden.' }),
  },
  { additionalProperties: false, description: 'One mismatching or failed pair.' },
);

/** A route's shadow figures on this process since it started. */
export const ShadowReportSchema = Type.Object(
  {
    compared: Type.Integer({ minimum: 0, description: 'Pairs compared (matches and mismatches).' }),
    mismatches: Type.Integer({ minimum: 0, description: 'Pairs whose responses differed.' }),
    errors: Type.Integer({ minimum: 0, description: 'Copies whose shadow side failed or timed out.' }),
    skipped: Type.Integer({ minimum: 0, description: 'Copies not made or not compared: the concurrency cap was full, a body too large, the client gone.' }),
    samples: Type.Array(ShadowSampleSchema, { description: 'The last mismatching or failed pairs, newest first (at most shadow.samples).' }),
  },
  { additionalProperties: false, description: "A route's shadow figures on this replica since it started." },
);

/** GET /routes/:id/shadow: the report with the route's shadow settings. */
export const ShadowAnswerSchema = Type.Object(
  {
    id: Type.String({ description: 'Route id.' }),
    shadow: Type.Union([Shadow, Type.Null()], { description: "The route's shadow traffic settings, or null when it has none." }),
    ...ShadowReportSchema.properties,
  },
  { additionalProperties: false, description: 'What shadow traffic found on the route on this replica since it started.' },
);
