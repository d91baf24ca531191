// The top-level `override` key: a header or cookie QA sets to choose a side. The schema the config composes in.
import { Type, type Static } from '@sinclair/typebox';
import { ID_PATTERN } from '../config-kit/schema-parts.js';

export const OverrideSection = Type.Object(
  {
    header: Type.Optional(Type.String({ minLength: 1, description: 'Request header whose value always / never forces the service / legacy side.' })),
    cookie: Type.Optional(Type.String({ minLength: 1, description: 'Cookie whose value always / never forces the service / legacy side.' })),
    cohort: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'Only requests in this cohort may override (e.g. staff). Default: anyone.' })),
  },
  {
    additionalProperties: false,
    minProperties: 1,
    description: 'Opt-in: lets QA choose a side with a header or cookie set to always or never. Off unless present.',
  },
);

/** The config's `override`, as the file has it. */
export type OverrideConfig = Static<typeof OverrideSection>;
