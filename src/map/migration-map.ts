// The built-in `map` plugin and its runtime: counts what each side served, keeps the retire history in the state store, and makes the map.
import type { ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { parseDuration } from '../config-kit/units.js';
import type { Diagnostics } from '../diagnostics.js';
import { FigwayError } from '../errors.js';
import { StrangledWindow } from '../observe/strangled-window.js';
import { counterOn } from '../prometheus-metric.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { dayOf, type HistoryStore, type MigrationHistory } from '../state/migration-history.js';
import type { FigwayPlugin, RouteInfo } from '../types.js';
import { buildMap } from './build-map.js';
import { historyKey } from './history-key.js';
import { EndpointCounter } from './endpoint-counter.js';
import { LegacyLedger } from './legacy-ledger.js';
import { MAP_KEYS, fillMap, type MapAnswer, type MapConfig } from './map-schema.js';
import { readExpressRoutes, skipOwnMount, watchSubApps } from './read-express-routes.js';

/** How often what legacy served is added to the store's history, and the history read back for metrics. */
export const MAP_FLUSH_MS = 10_000;
const DAY_MS = 86_400_000;

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
  let windowMs = parseDuration(settings.window);
  let counted: ReadonlySet<string> = new Set();
  let countLegacy = false;
  let staged: { settings: ReturnType<typeof fillMap>; counted: ReadonlySet<string>; countLegacy: boolean } | undefined;
  let routeCounts = new StrangledWindow(windowMs, deps.now);
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
  const endpoints = new EndpointCounter(windowMs, deps.now, counter, patternOf);
  /** Lists of the routes at 100%, in the order the configs served, not yet written (each is written: a dip below 100% clears the time even if it lasted a moment). */
  const marks: string[][] = [];
  let fullNow: readonly string[] | undefined;
  let history: MigrationHistory | undefined;
  let failing = false;
  let lastByState: Record<string, number> = {};
  let syncing: Promise<void> | undefined;
  let timer: NodeJS.Timeout | undefined;

  const report = (err: unknown) => {
    history = undefined;
    if (!failing) deps.diagnostics.warnOnce('FIGWAY_MAP_HISTORY_UNWRITTEN', "figway: could not write the migration map's history to the state store", { err });
    failing = true;
  };
  const retireAfterMs = () => parseDuration(settings.retireAfter);
  /** The days the retire rule looks at: from retireAfter ago to today. */
  const days = (now: number) => {
    const list: string[] = [];
    for (let t = Math.floor((now - retireAfterMs()) / DAY_MS) * DAY_MS; t <= now; t += DAY_MS) list.push(dayOf(t));
    return list;
  };
  /** Writes the routes at 100% and the tallies, then reads the history back; what the store did not take is kept for the next time. */
  const writeAndRead = async (store: HistoryStore): Promise<void> => {
    while (marks.length > 0) {
      await store.markFull(marks[0] as string[], deps.now());
      marks.shift();
    }
    const tallies = ledger.take();
    if (tallies.length > 0) {
      try {
        await store.addLegacy(tallies, Math.ceil(retireAfterMs() / DAY_MS) + 1);
      } catch (err) {
        ledger.giveBack(tallies);
        throw err;
      }
    }
    history = await store.history(days(deps.now()));
    // The store holds other routes at 100% than this replica sees (a Redis that came back empty,
    // another replica on another config): marked again next time, so each replica's view lands.
    if (fullNow !== undefined && marks.length === 0 && !sameRoutes(fullNow, Object.keys(history.full))) marks.push([...fullNow]);
    if (failing) deps.diagnostics.logger.info('figway: the migration map history is written again');
    failing = false;
  };
  const sync = (): Promise<void> => {
    syncing ??= (async () => {
      try {
        const store = deps.store();
        if (store !== undefined) await writeAndRead(store);
      } catch (err) {
        report(err);
      }
    })().finally(() => (syncing = undefined));
    return syncing;
  };
  /** A sync of its own: one already running may have started before what is to be written now. */
  const syncAfter = async (): Promise<void> => {
    await syncing;
    await sync();
  };
  // A map that cannot be made (a bug, an app whose router throws when read) is reported, never left to crash the process.
  const refresh = () =>
    syncAfter()
      .then(() => {
        lastByState = countStates(make());
      })
      .catch((err: unknown) => deps.diagnostics.reportError(new FigwayError('FIGWAY_INTERNAL', 'the migration map could not be made', { cause: err }), 'figway: the migration map could not be made'));

  const make = (): MapAnswer =>
    buildMap({
      snapshot: deps.current(),
      app: app === undefined ? undefined : readExpressRoutes(app),
      routeCounts: routeCounts.counts().perRoute,
      endpointServed: countLegacy ? endpoints.served() : undefined,
      history,
      counted,
      now: deps.now(),
      windowMs,
      retireAfterMs: retireAfterMs(),
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
      await syncAfter();
      const map = make();
      lastByState = countStates(map);
      return map;
    },
    endpointsByState: () => lastByState,
    async close() {
      clearInterval(timer);
      await syncAfter();
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
      setup: ({ sections, routes, config, now }) => {
        const next = fillMap(sections.map);
        staged = { settings: next, counted: new Set(routes.map(({ route }) => route.id)), countLegacy: next.countLegacy && config.plugins?.map !== false };
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
          if (nextWindow !== windowMs) {
            windowMs = nextWindow;
            routeCounts = new StrangledWindow(windowMs, deps.now);
            endpoints.resize(windowMs);
          }
        }
        if (event.kind === 'reloaded') {
          const ids = new Set(event.routes.map((route) => route.id));
          // Forgetting removed routes can wait a turn, off the turn that swaps the config in.
          setImmediate(() => routeCounts.keepOnly(ids));
        }
        fullNow = fullRoutes(event.routes, counted);
        queueMarks(marks, fullNow);
        if (timer === undefined) {
          timer = setInterval(refresh, MAP_FLUSH_MS);
          timer.unref();
        }
        // Not in this turn: the first event comes while the gateway is still being built.
        queueMicrotask(() => void syncAfter());
      },
    },
  };
}

/**
 * The history keys of the routes sending every request to the service, as configured now (runtime
 * changes and progressive steps included; none while the kill switch is on), among those the map counts.
 */
function fullRoutes(routes: readonly RouteInfo[], counted: ReadonlySet<string>): string[] {
  return routes.filter((route) => !route.killed && route.config.rollout?.percent === 100 && counted.has(route.id)).map(historyKey);
}

/**
 * Adds the routes at 100% now to the lists to write. More than two pending (a store away while
 * configs change) fold into what every one of them had, then the latest: written in that order,
 * a route that dipped below 100% in any of them still loses its time, and the queue stays small.
 */
function queueMarks(marks: string[][], latest: readonly string[]): void {
  marks.push([...latest]);
  if (marks.length <= 2) return;
  const last = marks.pop() as string[];
  const common = marks.reduce((kept, list) => {
    const set = new Set(list);
    return kept.filter((route) => set.has(route));
  });
  marks.splice(0, marks.length, common, last);
}

function sameRoutes(a: readonly string[], b: readonly string[]): boolean {
  const set = new Set(b);
  return a.length === set.size && a.every((route) => set.has(route));
}

function countStates(map: MapAnswer): Record<string, number> {
  return (map.areas.find((area) => area.area === '*')?.endpoints ?? {}) as Record<string, number>;
}
