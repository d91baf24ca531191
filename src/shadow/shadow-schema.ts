// A route's `shadow` key: the schema the config composes in, and the type compile-shadow.ts reads.
import { Type, type Static } from '@sinclair/typebox';
import { defaulted } from '../config-kit/schema-defaults.js';
import { Duration, numberOrPattern, SIZE_PATTERN } from '../config-kit/schema-parts.js';

/** What a shadowed pair's comparison looks at (`shadow.compare`). */
export const ShadowCompare = Type.Object(
  {
    headers: Type.Optional(
      defaulted(Type.Array(Type.String({ minLength: 1 }), { description: 'Response headers compared (besides the status).' }), ['content-type']),
    ),
    ignore: Type.Optional(
      Type.Array(Type.String({ minLength: 1 }), { description: 'JSON paths left out of the body comparison, e.g. updatedAt, items[*].id, *.etag ($. prefix optional).' }),
    ),
  },
  { additionalProperties: false, description: 'What is compared.' },
);

/** A route's `shadow`: which requests are copied to the other side, and how the two answers are compared. */
export const Shadow = Type.Object(
  {
    percent: Type.Number({ minimum: 0, maximum: 100, multipleOf: 0.01, description: 'Share of requests copied to the other side.' }),
    methods: Type.Optional(
      defaulted(
        Type.Array(Type.String({ pattern: '^[A-Za-z]+$' }), {
          minItems: 1,
          description: 'Methods shadowed. Any but GET and HEAD runs its side effects twice (a POST shadowed creates twice): only for handlers known to be safe.',
        }),
        ['GET', 'HEAD'],
        'GET and HEAD',
      ),
    ),
    compare: Type.Optional(ShadowCompare),
    samples: Type.Optional(defaulted(Type.Integer({ minimum: 0, maximum: 1000, description: 'Mismatching pairs kept for the admin API (redacted, size-capped).' }), 20)),
    maxBody: Type.Optional(defaulted(numberOrPattern(SIZE_PATTERN, 'Largest body compared; larger ones count as skipped.', 'must be bytes or a size such as "256kb"'), '256kb')),
    timeout: Type.Optional(defaulted(Duration('How long the shadow side may take before the comparison is dropped.'), '5s')),
    concurrency: Type.Optional(
      defaulted(Type.Integer({ minimum: 1, description: 'Most shadow requests in flight at once per process; more are skipped, so memory stays bounded.' }), 8),
    ),
  },
  { additionalProperties: false, description: 'Shadow traffic: a copy of the request goes to the other side, and the two responses are compared. The client only ever gets the primary side.' },
);

/** A route's `shadow`, as the file has it. */
export type ShadowConfig = Static<typeof Shadow>;

/** Shadow's part of the admin route view. */
export const ShadowView = { shadow: Type.Union([Shadow, Type.Null()], { description: 'Shadow traffic settings, or null.' }) };
