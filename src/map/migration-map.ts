// The built-in `map` plugin and its runtime: counts what each side served, keeps the retire history in the state store, and makes the map.
import type { ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { parseDuration } from '../config-kit/units.js';
import type { Diagnostics } from '../diagnostics.js';
import { FigwayError } from '../errors.js';
import { StrangledWindow } from '../observe/strangled-window.js';
import { pluginIsOn } from '../plugins/compile-plugins.js';
import { counterOn } from '../prometheus-metric.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import type { HistoryStore } from '../state/migration-history.js';
import type { FigwayPlugin, RouteInfo } from '../types.js';
import { buildMap, countEndpointStates, type JudgeParts } from './build-map.js';
import { historyKey } from './history-key.js';
import { HistorySync } from './history-sync.js';
import { EndpointCounter } from './endpoint-counter.js';
import { LegacyLedger } from './legacy-ledger.js';
import { MAP_KEYS, fillMap, type MapAnswer, type MapConfig } from './map-schema.js';
import { readExpressRoutes, skipOwnMount, watchSubApps } from './read-express-routes.js';

/** How often what legacy served is added to the store's history, and the history read back for metrics. */
export const MAP_FLUSH_MS = 10_000;

/** Requests the monolith's handlers served for endpoints no route covers (map.countLegacy). */
export const MONOLITH_REQUESTS = 'figway_monolith_requests_total';

export interface MigrationMapDeps {
  readonly now: () => number;
  readonly registry: Registry;
  readonly diagnostics: Diagnostics;
  /** The state store once there is one (Redis connects after start-up). */
  readonly store: () => HistoryStore | undefined;
  /** The snapshot serving now. */
  readonly current: () => Snapshot;
}

/** The map and what keeps it. */
export interface MigrationMap {
  readonly plugin: FigwayPlugin<Record<string, never>, { map: MapConfig }>;
  /** The app figway is on: its routes are read for every map (routes added later included). */
  useApp(app: object): void;
  /** `app.use(figway(...))` mounted figway on `app` as a sub-app just now: that layer is figway's, not the monolith's. */
  mountedOn(app: object): void;
  /** A request figway matched no route for: counted by the Express route that serves it (map.countLegacy). */
  unmatched(res: ServerResponse): void;
  /** The map now: what was counted is written to the store first, so the answer includes it. */
  answer(): Promise<MapAnswer>;
  /** The last map's endpoint count per state, from the last history read (for the metrics scrape). */
  endpointsByState(): Record<string, number>;
  close(): Promise<void>;
}

/**
 * Creates the migration map. Every finished request of a route is counted per side (this
 * replica, over `map.window`); what legacy served is tallied per route and reason and added to the
 * state store's history every 10 s, with the routes at 100%, so the retire rule spans restarts and
 * replicas.
 *
 * @example
 * ```ts
 * const map = createMigrationMap({ now: Date.now, registry, diagnostics, store: () => controller.stateStore, current: () => controller.current });
 * const answer = await map.answer(); // answer.endpoints: every endpoint of the monolith, with its state
 * ```
 */
export function createMigrationMap(deps: MigrationMapDeps): MigrationMap {
  // What the serving config says; a config's setup stages its own, which onConfig takes once it serves (a rejected reload changes nothing).
  let settings = fillMap(undefined);
  let counted: (routeId: string) => boolean = () => false;
  let countLegacy = false;
  let staged: { settings: ReturnType<typeof fillMap>; counted: (routeId: string) => boolean; countLegacy: boolean } | undefined;
  let routeCounts = new StrangledWindow(parseDuration(settings.window), deps.now);
  const ledger = new LegacyLedger();
  let app: object | undefined;
  const patterns = new WeakMap<object, string>();
  const patternOf = (route: object): string => {
    if (!patterns.has(route) && app !== undefined) {
      try {
        for (const endpoint of readExpressRoutes(app).endpoints) if (!patterns.has(endpoint.route)) patterns.set(endpoint.route, endpoint.path);
      } catch {
        // An app whose stack cannot be read still has its requests counted, under the route's own path.
      }
    }
    return patterns.get(route) ?? `(unread mount)${String((route as { path?: unknown }).path)}`;
  };
  const counter = counterOn(deps.registry, MONOLITH_REQUESTS, "Requests the monolith's own handlers served for endpoints no figway route covers (map.countLegacy), per Express route pattern.", ['method', 'path']);
  const endpoints = new EndpointCounter(routeCounts.windowMs, deps.now, counter, patternOf);
  const retireAfterMs = () => parseDuration(settings.retireAfter);
  const history = new HistorySync({ store: deps.store, now: deps.now, diagnostics: deps.diagnostics, ledger, retireAfterMs });
  let lastByState: Record<string, number> = {};
  let timer: NodeJS.Timeout | undefined;

  // A map that cannot be made (a bug, an app whose router throws when read) is reported, never left to crash the process.
  const refresh = () =>
    history
      .syncAfter()
      .then(async () => {
        lastByState = await countEndpointStates(judgeParts());
      })
      .catch((err: unknown) => deps.diagnostics.reportError(new FigwayError('FIGWAY_INTERNAL', 'the migration map could not be made', { cause: err }), 'figway: the migration map could not be made'));

  const judgeParts = (): JudgeParts => ({
    snapshot: deps.current(),
    app: app === undefined ? undefined : readExpressRoutes(app),
    history: history.last,
    counted,
    now: deps.now(),
    retireAfterMs: retireAfterMs(),
  });
  const make = (): MapAnswer =>
    buildMap({
      ...judgeParts(),
      routeCounts: routeCounts.counts().perRoute,
      endpointServed: countLegacy ? endpoints.served() : undefined,
      windowMs: routeCounts.windowMs,
    });

  return {
    useApp(target) {
      watchSubApps(target);
      app = target;
    },
    mountedOn(target) {
      skipOwnMount(target);
    },
    unmatched(res) {
      if (countLegacy) endpoints.watch(res);
    },
    async answer() {
      await history.syncAfter();
      const map = make();
      lastByState = countStates(map);
      return map;
    },
    endpointsByState: () => lastByState,
    async close() {
      clearInterval(timer);
      await history.syncAfter();
    },
    plugin: {
      name: 'map',
      order: -100,
      configKeys: MAP_KEYS.config,
      schema: {
        type: 'object',
        additionalProperties: false,
        properties: {},
        description: 'The migration map is configured under `map`; `map: false` under plugins stops its counting, and no route it is off for is said ready to retire.',
      },
      setup: ({ sections, config, now }) => {
        const next = fillMap(sections.map);
        // The routes it is off for, not a copy of the table it is on for (10,000 routes: milliseconds).
        const off = new Set(config.routes.filter((route) => !pluginIsOn(config, route, 'map')).map((route) => route.id));
        staged = { settings: next, counted: (routeId) => !off.has(routeId), countLegacy: next.countLegacy && config.plugins?.map !== false };
        return {
          onResponse(ctx) {
            const decision = ctx.decision;
            if (decision === undefined) return;
            const target = ctx.target;
            routeCounts.record(ctx.route.id, target === 'service');
            // Only what legacy serves of a route at 100% bears on the retire rule (and is written to the store).
            if (decision.percent !== 100 || decision.reason === 'kill-switch') return;
            if (target === 'legacy') ledger.record(ctx.route.id, decision.reason, now());
            else if (target === 'fallback') ledger.record(ctx.route.id, 'fallback', now());
          },
        };
      },
      onConfig(event) {
        if (event.kind === 'rejected') {
          staged = undefined;
          return;
        }
        if (staged !== undefined) {
          settings = staged.settings;
          counted = staged.counted;
          countLegacy = staged.countLegacy;
          staged = undefined;
          const nextWindow = parseDuration(settings.window);
          if (nextWindow !== routeCounts.windowMs) {
            routeCounts = new StrangledWindow(nextWindow, deps.now);
            endpoints.resize(nextWindow);
          }
        }
        if (timer === undefined) {
          timer = setInterval(refresh, MAP_FLUSH_MS);
          timer.unref();
        }
        // A pass over every route (a few milliseconds for 10,000) waits a turn, off the turn that swaps
        // the config in; turns run in the order asked, so the lists of routes at 100% still queue in
        // the order the configs served. Also, the first event comes while the gateway is being built.
        const countedNow = counted;
        setImmediate(() => {
          if (event.kind === 'reloaded') routeCounts.keepOnly(new Set(event.routes.map((route) => route.id)));
          history.atFull(fullRoutes(event.routes, countedNow));
          void history.syncAfter();
        });
      },
    },
  };
}

/**
 * The history keys of the routes sending every request to the service, as configured now (runtime
 * changes and progressive steps included; none while the kill switch is on), among those the map counts.
 */
function fullRoutes(routes: readonly RouteInfo[], counted: (routeId: string) => boolean): string[] {
  return routes.filter((route) => !route.killed && route.config.rollout?.percent === 100 && counted(route.id)).map(historyKey);
}

function countStates(map: MapAnswer): Record<string, number> {
  return (map.areas.find((area) => area.area === '*')?.endpoints ?? {}) as Record<string, number>;
}
