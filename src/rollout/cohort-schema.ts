// A cohort (`cohorts.<name>`): the schema the config composes in, and the type cohorts.ts compiles.
import { Type, type Static } from '@sinclair/typebox';
import { Scalar } from '../config-kit/schema-parts.js';

/** A named cohort: the conditions that put a request in it. */
export const CohortCondition = Type.Object(
  {
    header: Type.Optional(
      Type.Record(Type.String(), Type.Union([Type.String(), Type.Array(Type.String(), { minItems: 1 })], { description: 'A value or a list of values.' }), { description: 'Header name to the value (or values) that put a request in the cohort.' }),
    ),
    cidr: Type.Optional(
      Type.Array(Type.String({ minLength: 3 }), { minItems: 1, description: 'Client address ranges, e.g. 10.0.0.0/8 or 2001:db8::/32 (the client address follows Express trust proxy).' }),
    ),
    user: Type.Optional(
      Type.Record(Type.String(), Type.Union([Scalar, Type.Array(Scalar, { minItems: 1 })], { description: 'A value or a list of values.' }), {
        description: 'Fields of req.user (dot paths allowed) to the value or values that put a request in the cohort, e.g. { role: staff }. An array field matches when it contains the value.',
      }),
    ),
  },
  { additionalProperties: false, minProperties: 1, description: 'A request is in the cohort when every condition given here holds.' },
);

/** A cohort, as the file has it. */
export type CohortConfig = Static<typeof CohortCondition>;
