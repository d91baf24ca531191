// A route's `fallback` key: the schema the config composes in, and the type compile-fallback.ts reads.
import { Type, type Static } from '@sinclair/typebox';
import { defaulted } from '../config-kit/schema-defaults.js';
import { Duration } from '../config-kit/schema-parts.js';

/** A route's circuit breaker settings (`fallback.breaker`, unless false). */
export const Breaker = Type.Object(
  {
    failures: Type.Optional(defaulted(Type.Integer({ minimum: 1, description: 'Consecutive failures that open the breaker.' }), 5)),
    cooldown: Type.Optional(defaulted(Duration('How long an open breaker sends the route to legacy before one probe request tries the service again.'), '30s')),
  },
  { additionalProperties: false, description: 'The circuit breaker.' },
);

/** A route's `fallback`: when the legacy handler serves instead of a failing service, and the circuit breaker. */
export const Fallback = Type.Object(
  {
    on: Type.Optional(
      defaulted(
        Type.Array(
          Type.Union([Type.Literal('refused'), Type.Literal('timeout'), Type.Literal('tls'), Type.Integer({ minimum: 500, maximum: 599 })], {
            description:
              'refused (no connection), timeout (connect or response), tls (the TLS handshake failed: a certificate refused either way; never implied by refused, so a broken certificate rollout is not hidden), or a 5xx status the service answered.',
          }),
          { minItems: 1, description: 'When the legacy handler serves instead.' },
        ),
        ['refused', 'timeout', 502, 503, 504],
        '[refused, timeout, 502, 503, 504]',
      ),
    ),
    breaker: Type.Optional(
      Type.Union(
        [
          Breaker,
          Type.Literal(false),
        ],
        { description: 'A circuit breaker: after repeated failures the route goes to legacy for a cool-down, then a probe decides. false turns it off.' },
      ),
    ),
  },
  {
    additionalProperties: false,
    description:
      'Fallback to legacy: a GET, HEAD or OPTIONS request without a body whose service failed before the response started is served by the monolith\'s handler instead. Other requests are never replayed.',
  },
);

/** A route's `fallback`, as the file has it. */
export type FallbackConfig = Static<typeof Fallback>;

/** Fallback's part of the admin route view: the breaker, and the service's last failure (kept for every route, whether it falls back or not). */
export const FallbackView = {
  breaker: Type.Union([Type.Literal('closed'), Type.Literal('open'), Type.Literal('half-open'), Type.Null()], {
    description: 'The circuit breaker on this replica: open sends the route to legacy; null without fallback.breaker.',
  }),
  lastUpstreamError: Type.Union(
    [
      Type.Object(
        {
          code: Type.String({ description: 'The error code, or HTTP_<status> for a status fallback.on lists.' }),
          message: Type.String({ description: 'What went wrong.' }),
          at: Type.String({ format: 'date-time', description: 'When, ISO 8601.' }),
        },
        { additionalProperties: false },
      ),
      Type.Null(),
    ],
    { description: "The latest failure of the route's service on this replica (also one legacy absorbed), or null." },
  ),
};
