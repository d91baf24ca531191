// The schema of a route as the admin API shows it (route-view.ts builds it): documented, tested, typed for the CLI.
import { Type } from '@sinclair/typebox';
import { Rollout, Route } from '../config/schema.js';
import { ProgressiveView } from '../progressive/progressive-view.js';
import { featureViewFields } from '../route-features.js';
import { UpstreamTlsSchema } from '../upstream-tls-schema.js';
import { RolloutOverrideSchema } from '../state/runtime-state.js';

/** The config version an answer was made on. */
export const ConfigVersion = Type.Integer({ description: 'Goes up by one with every snapshot (a reload or a runtime change).' });
/** The runtime state revision an answer was made on. */
export const StateRevision = Type.Integer({ description: 'Revision of the runtime state, one up with every change.' });

/** The route keys the features' view fields show as they run, in place of the key as written. */
const FEATURE_VIEW_KEYS = Object.keys(featureViewFields()).filter((key): key is keyof typeof Route.properties & keyof ReturnType<typeof featureViewFields> => key in Route.properties);

/** A route's service, as the route view and explain show it. */
export const UpstreamViewSchema = Type.Object(
  {
    name: Type.String({ description: 'The name of the entry in upstreams, or the host of a service URL written in the route.' }),
    url: Type.String({ description: 'Base URL of the service.' }),
    tls: Type.Optional(UpstreamTlsSchema),
  },
  { additionalProperties: false, description: 'The service the route sends traffic to.' },
);

/**
 * One route, for audits: its config as it runs (the config file's schema, defaults and runtime
 * changes applied), with its service, compiled timeouts, rollout and where it comes from, and what
 * only the running gateway knows (progressive step, breaker, last failure).
 */
export const RouteViewSchema = Type.Object(
  {
    // The route's config as written, in the config file's own schemas; upstream, timeouts, rollout and the features' view fields are shown as they run instead.
    ...Type.Omit(Route, ['upstream', 'timeouts', 'rollout', ...FEATURE_VIEW_KEYS]).properties,
    upstream: UpstreamViewSchema,
    timeouts: Type.Object(
      {
        connect: Type.Integer({ minimum: 0, description: 'Milliseconds allowed to open a connection to the service.' }),
        response: Type.Integer({ minimum: 0, description: 'Milliseconds allowed for the response headers once the request is sent.' }),
        idle: Type.Integer({ minimum: 0, description: 'Milliseconds the service may go silent while sending its body (0: no limit).' }),
      },
      { additionalProperties: false, description: 'Timeouts towards the service, in milliseconds, from the route, its upstream, defaults or built-in.' },
    ),
    rollout: Type.Object(
      {
        ...Rollout.properties,
        source: Type.Union([Type.Literal('file'), Type.Literal('runtime'), Type.Literal('progressive')], {
          description: 'Where the rollout comes from: the config file, a runtime change (admin API, CLI) over it, or a progressive schedule.',
        }),
        killed: Type.Boolean({ description: "Whether the kill switch sends this route's traffic to legacy." }),
      },
      { additionalProperties: false, description: 'The rollout as it serves now (file, defaults and runtime changes merged).' },
    ),
    fileRollout: Type.Object(Rollout.properties, {
      additionalProperties: false,
      description: 'The rollout as the config file has it (with defaults), which a runtime change overrides until cleared.',
    }),
    override: Type.Union([RolloutOverrideSchema, Type.Null()], { description: 'The rollout fields changed at runtime, or null.' }),
    progressive: Type.Union([ProgressiveView, Type.Null()], { description: 'The progressive rollout (rollout.steps), or null.' }),
    ...featureViewFields(),
  },
  { additionalProperties: false, title: 'Route', description: 'One route: match, service, rewrite, timeouts, plugins, rollout and where it comes from.' },
);

/** The whole routing table, as GET /routes shows it. */
export const RoutesViewSchema = Type.Object(
  {
    configVersion: ConfigVersion,
    stateRevision: StateRevision,
    killSwitch: Type.Boolean({ description: 'Whether the kill switch sends every request to legacy.' }),
    routes: Type.Array(RouteViewSchema, { description: 'Every route, in the order of the config file.' }),
    ignoredOverrides: Type.Array(
      Type.Object(
        {
          route: Type.String({ description: 'Route id.' }),
          problems: Type.Array(Type.String(), { description: 'Why the change no longer fits the config, each as path and message.' }),
        },
        { additionalProperties: false },
      ),
      { description: 'Runtime rollout changes that no longer fit the config (a cohort it no longer defines...) and are skipped.' },
    ),
  },
  { additionalProperties: false, description: 'The routing table, with the versions an auditor needs to cite.' },
);
