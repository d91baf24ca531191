// A route's `rollout` key (percent, sticky keys, cohorts) and the defaults' sticky and unkeyed: the schema the config composes in.
import { Type } from '@sinclair/typebox';
import { defaulted, saidDefault } from '../config-kit/schema-defaults.js';
import { ID_PATTERN } from '../config-kit/schema-parts.js';

const STICKY_PATTERN = "^(user|ip|header:[A-Za-z0-9!#$%&'*+.^_`|~-]+|cookie:[^\\s;=,]+)$";

const Side = Type.Union([Type.Literal('service'), Type.Literal('legacy')], { description: 'service (the new service) or legacy (the monolith).' });

const StickyList = Type.Array(
  Type.String({
    pattern: STICKY_PATTERN,
    errorMessage: 'must be user, ip, header:<name> or cookie:<name>',
  }),
  {
    minItems: 1,
    description:
      'Keys tried in order; the first one present is hashed with the route id into a bucket, so a key always lands on the same side. user = req.user id, header:<name>, cookie:<name>, ip.',
  },
);

const unkeyed = (description: string) =>
  Type.Union([Type.Literal('legacy'), Type.Literal('service'), Type.Literal('random')], {
    description: `Side for a request with none of the sticky keys: legacy, service, or random per request at the route percent.${description}`,
  });

/** A route's `rollout.unkeyed`. */
const Unkeyed = unkeyed(' Default: defaults.unkeyed.');
/** `defaults.unkeyed`, with the built-in side as its default. */
export const DefaultUnkeyed = defaulted(unkeyed(''), 'legacy');

/** `defaults.sticky`, with the built-in keys as its default. */
export const DefaultSticky = defaulted(StickyList, ['user', 'ip'], '[user, ip]');

/** A route's percent when it has no steps. Said in the description, not a schema `default`: a route with steps has no percent. */
export const DEFAULT_PERCENT = 100;

/** The fields of a route's `rollout` that decide a request's side; progressive/ adds the steps. */
export const ROLLOUT_FIELDS = {
  percent: Type.Optional(
    saidDefault(
      Type.Number({
        minimum: 0,
        maximum: 100,
        multipleOf: 0.01,
        description: 'Share of requests sent to the service, 0 to 100 in steps of 0.01. 0 and 100 are exact.',
      }),
      DEFAULT_PERCENT,
    ),
  ),
  sticky: Type.Optional(StickyList),
  unkeyed: Type.Optional(Unkeyed),
  cohorts: Type.Optional(
    Type.Record(Type.String({ pattern: ID_PATTERN }), Side, {
      additionalProperties: false,
      description: 'Cohorts (defined at top level) forced to a side on this route, checked in order before the percent, e.g. { staff: service }.',
    }),
  ),
};
