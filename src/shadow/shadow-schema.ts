// A route's `shadow` key: the schema the config composes in, and the type compile-shadow.ts reads.
import { Type, type Static } from '@sinclair/typebox';
import { Duration, numberOrPattern, SIZE_PATTERN } from '../config-kit/schema-parts.js';

/** A route's `shadow`: which requests are copied to the other side, and how the two answers are compared. */
export const Shadow = Type.Object(
  {
    percent: Type.Number({ minimum: 0, maximum: 100, multipleOf: 0.01, description: 'Share of requests copied to the other side.' }),
    methods: Type.Optional(
      Type.Array(Type.String({ pattern: '^[A-Za-z]+$' }), {
        minItems: 1,
        description: 'Methods shadowed. Default GET and HEAD. Others run their side effects twice (a POST shadowed creates twice): only for handlers known to be safe.',
      }),
    ),
    compare: Type.Optional(
      Type.Object(
        {
          headers: Type.Optional(Type.Array(Type.String({ minLength: 1 }), { description: 'Response headers compared (besides the status). Default content-type.' })),
          ignore: Type.Optional(
            Type.Array(Type.String({ minLength: 1 }), { description: 'JSON paths left out of the body comparison, e.g. updatedAt, items[*].id, *.etag ($. prefix optional).' }),
          ),
        },
        { additionalProperties: false, description: 'What is compared.' },
      ),
    ),
    samples: Type.Optional(Type.Integer({ minimum: 0, maximum: 1000, description: 'Mismatching pairs kept for the admin API (redacted, size-capped). Default 20.' })),
    maxBody: Type.Optional(numberOrPattern(SIZE_PATTERN, 'Largest body compared; larger ones count as skipped. Default 256kb.', 'must be bytes or a size such as "256kb"')),
    timeout: Type.Optional(Duration('How long the shadow side may take before the comparison is dropped. Default 5s.')),
    concurrency: Type.Optional(Type.Integer({ minimum: 1, description: 'Most shadow requests in flight at once per process; more are skipped, so memory stays bounded. Default 8.' })),
  },
  { additionalProperties: false, description: 'Shadow traffic: a copy of the request goes to the other side, and the two responses are compared. The client only ever gets the primary side.' },
);

/** A route's `shadow`, as the file has it. */
export type ShadowConfig = Static<typeof Shadow>;
