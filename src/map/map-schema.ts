// The `map` config key and the answer of GET /map: every monolith endpoint, how far it is strangled, and whether its legacy handler can go.
import { Type, type Static } from '@sinclair/typebox';
import { defaulted, defaultsFiller } from '../config-kit/schema-defaults.js';
import { Duration } from '../config-kit/schema-parts.js';

/** The top-level `map` section. */
export const MapSection = Type.Object(
  {
    retireAfter: Type.Optional(
      defaulted(
        Duration("How long a route must stay at 100% (not killed), with legacy serving none of its requests (fallback, breaker, cohorts, overrides included), before the endpoints it covers are ready to retire. Counted from the state store's history, across restarts and replicas."),
        '14d',
      ),
    ),
    window: Type.Optional(defaulted(Duration('Window of the request counts the map shows (this replica).'), '1d')),
    countLegacy: Type.Optional(
      defaulted(
        Type.Boolean({ description: 'Also count, per monolith endpoint no route covers, the requests its handler served: from the route Express matched, one series per route pattern.' }),
        false,
      ),
    ),
  },
  { additionalProperties: false, description: 'The migration map (GET /map, figway map, the admin page).' },
);

/** The `map` section, as the file has it. */
export type MapConfig = Static<typeof MapSection>;

/** The keys the map plugin declares. */
export const MAP_KEYS = { config: { map: MapSection } };

/** The section with its defaults filled in. */
export const fillMap = defaultsFiller(MapSection, ['retireAfter', 'window', 'countLegacy']);

/** How far an endpoint is strangled. */
export const EndpointStateSchema = Type.Union(
  [Type.Literal('legacy-only'), Type.Literal('rolling-out'), Type.Literal('at-100'), Type.Literal('ready-to-retire')],
  {
    description:
      'legacy-only: no route covers it, or its route is at 0% or killed; rolling-out: its route sends part of the traffic to the service; at-100: all of it, not yet for map.retireAfter; ready-to-retire: at 100% for map.retireAfter with legacy serving none of its requests.',
  },
);

/** How far an endpoint is strangled. */
export type EndpointState = Static<typeof EndpointStateSchema>;

/** Every state, in the order a migration goes through them. */
export const ENDPOINT_STATES: readonly EndpointState[] = ['legacy-only', 'rolling-out', 'at-100', 'ready-to-retire'];

const Served = Type.Object(
  {
    service: Type.Optional(Type.Integer({ minimum: 0, description: "Requests the service served (the covering route's, this replica)." })),
    legacy: Type.Optional(Type.Integer({ minimum: 0, description: "Requests legacy served: the covering route's, or, for an endpoint no route covers, its handler's (map.countLegacy)." })),
  },
  { additionalProperties: false, description: 'Requests within the window; a side figway does not count is absent.' },
);

/** One endpoint of the monolith, on the map. */
export const MapEndpointSchema = Type.Object(
  {
    method: Type.String({ description: 'GET, POST, ...; ALL for a handler of every method.' }),
    path: Type.String({ description: 'The path pattern as the app declares it, from its root.' }),
    area: Type.String({ description: "The path's first segment (/ for the root)." }),
    route: Type.Optional(Type.String({ description: 'The figway route that covers it; absent when none does.' })),
    percent: Type.Optional(Type.Number({ description: "The route's share sent to the service now (0 while the kill switch is on)." })),
    state: EndpointStateSchema,
    why: Type.Array(Type.String(), { description: 'Why it is not ready to retire (empty when it is).' }),
    fullSince: Type.Optional(Type.String({ format: 'date-time', description: "Since when the route has been at 100%, from the state store's history." })),
    legacyLast: Type.Optional(Type.String({ format: 'date-time', description: 'When legacy last served a request of the route, within map.retireAfter.' })),
    served: Served,
  },
  { additionalProperties: false },
);

/** One endpoint of the monolith, on the map. */
export type MapEndpoint = Static<typeof MapEndpointSchema>;

/** A figway route that covers no endpoint of the monolith: a new endpoint. */
export const NewRouteSchema = Type.Object(
  {
    route: Type.String({ description: 'Route id.' }),
    path: Type.String({ description: "The route's match.path." }),
    percent: Type.Number({ description: "The route's share sent to the service now." }),
    served: Served,
  },
  { additionalProperties: false },
);

/** The strangled share of one area (or of the whole monolith). */
export const AreaSchema = Type.Object(
  {
    area: Type.String({ description: 'First path segment, or * for the whole monolith.' }),
    endpoints: Type.Record(Type.String(), Type.Integer({ minimum: 0 }), { description: 'Endpoints per state.' }),
    strangled: Type.Optional(
      Type.Number({ minimum: 0, maximum: 1, description: 'Share of the counted requests the services served within the window; absent without requests.' }),
    ),
  },
  { additionalProperties: false },
);

/** GET /map. */
export const MapAnswerSchema = Type.Object(
  {
    at: Type.String({ format: 'date-time', description: 'When the map was made.' }),
    windowSeconds: Type.Number({ description: 'The window of the request counts (map.window).' }),
    retireAfterSeconds: Type.Number({ description: 'map.retireAfter.' }),
    countLegacy: Type.Boolean({ description: "Whether requests to endpoints no route covers are counted (map.countLegacy); without it, the strangled shares count routes' requests only." }),
    monolith: Type.Union([Type.Literal('express'), Type.Literal('unknown')], {
      description: "express: the endpoints were read from the app's router; unknown: figway is not mounted on an Express app (yet), so only its routes are listed.",
    }),
    endpoints: Type.Array(MapEndpointSchema, { description: "The monolith's endpoints, in the app's order." }),
    hidden: Type.Array(
      Type.Object({ path: Type.String({ description: 'Mount path, as far as known.' }), reason: Type.String({ description: 'Why its routes could not be read.' }) }, { additionalProperties: false }),
      { description: 'Parts of the app whose routes figway cannot read.' },
    ),
    newRoutes: Type.Array(NewRouteSchema, { description: 'Routes that cover no endpoint of the monolith figway can read (see hidden).' }),
    areas: Type.Array(AreaSchema, { description: 'The whole monolith (area *) first, then each area.' }),
    history: Type.Union([Type.Literal('ok'), Type.Literal('unavailable')], { description: "unavailable: the state store's history could not be read, so no endpoint is said ready to retire." }),
  },
  { additionalProperties: false, title: 'MigrationMap', description: 'The migration map.' },
);

/** GET /map. */
export type MapAnswer = Static<typeof MapAnswerSchema>;
