// The config keys of the built-in rate-limit plugin: `limits`, and each route's `limits`.
import { Type, type Static } from '@sinclair/typebox';
import { defaulted } from '../config-kit/schema-defaults.js';
import { Duration } from '../config-kit/schema-parts.js';

/** The keys a limit counts by when the config names none: the schema's default, and compileLimitKey's. */
export const DEFAULT_LIMIT_KEYS = ['user', 'apikey', 'ip'];

const RateLimitKey = defaulted(
  Type.Array(
    Type.String({ pattern: "^(user|apikey|ip|header:[A-Za-z0-9!#$%&'*+.^_`|~-]+)$", errorMessage: 'must be user, apikey, ip or header:<name>' }),
    { minItems: 1, description: 'What a budget belongs to: the first present of user (identity id), apikey (API key id), ip (IPv6 grouped by /64), header:<name>.' },
  ),
  DEFAULT_LIMIT_KEYS,
  '[user, apikey, ip]',
);

const RateLimit = Type.Object(
  {
    limit: Type.Integer({ minimum: 1, description: 'Requests allowed per window.' }),
    window: Duration('The window the limit counts over.'),
    key: Type.Optional(RateLimitKey),
  },
  { additionalProperties: false, description: 'A rate limit: at most `limit` requests per `window` per key.' },
);

/** The `limits` section. */
export const LimitsSection = Type.Object(
  {
    store: Type.Optional(defaulted(Type.Union([Type.Literal('memory'), Type.Literal('redis')], { description: 'memory (one process) or redis (one budget for every replica).' }), 'memory')),
    redis: Type.Optional(
      Type.Object(
        {
          url: Type.String({ pattern: '^rediss?://', description: 'Redis for the counters.', errorMessage: 'must be a redis:// or rediss:// URL' }),
          prefix: Type.Optional(defaulted(Type.String({ pattern: '^[A-Za-z0-9:._-]+$', description: 'Key prefix; each limiter adds its own.' }), 'figway:rl')),
        },
        { additionalProperties: false, description: 'The Redis store of the counters.' },
      ),
    ),
    onStoreError: Type.Optional(
      Type.Union([Type.Literal('open'), Type.Literal('closed')], {
        description: 'When the store is unreachable: open lets requests through (logged), closed refuses them with 503 (logged). Required with redis.',
      }),
    ),
    global: Type.Optional(RateLimit),
  },
  { additionalProperties: false, description: 'Rate limits with express-rate-limit: a global budget over every route, plus per-route limits.' },
);

const RouteLimits = Type.Union([RateLimit, Type.Array(RateLimit, { minItems: 1 }), Type.Literal(false)], {
  description: 'Rate limits of this route (one or several, each with its own budget), or false for none besides the global one.',
});

/** The config keys the built-in `rate-limit` plugin declares: top level and per route. */
export const LIMITS_KEYS = { config: { limits: LimitsSection }, route: { limits: RouteLimits } };

/** The `limits` section, as the file has it. */
export type LimitsConfig = Static<typeof LimitsSection>;
/** A route's `limits`, as the file has it. */
export type RouteLimitsConfig = Static<typeof RouteLimits>;
