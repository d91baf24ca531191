// The migration map from its parts: the app's endpoints, the route table, the request counts and the store's history.
import type { MigrationHistory } from '../state/migration-history.js';
import type { Snapshot } from '../snapshot/snapshot.js';
import { runSteps, runStepsInTurns } from '../steps.js';
import { areaOf } from './area.js';
import { coverEndpoints, type Coverage, type EndpointPath } from './cover-endpoints.js';
import { ENDPOINT_STATES, type EndpointState, type MapAnswer, type MapEndpoint } from './map-schema.js';
import { judgeEndpoint, type Judgement } from './retire-rule.js';

/** A monolith endpoint as the map reads it from the app. */
export interface AppEndpoint extends EndpointPath {
  /** The Express Route serving it, for its counts. */
  readonly route: object;
  /** It comes before figway in the app's stack. */
  readonly beforeFigway?: true;
}

/** Everything a map is made of. */
export interface MapParts {
  readonly snapshot: Snapshot;
  /** The app's endpoints and the mounts it hides; undefined when figway is on no Express app. */
  readonly app: { readonly endpoints: readonly AppEndpoint[]; readonly hidden: readonly { path: string; reason: string }[] } | undefined;
  /** Per route id: [served by the service, all] within the window. */
  readonly routeCounts: ReadonlyMap<string, readonly [number, number]>;
  /** Legacy requests per endpoint within the window (map.countLegacy), else undefined. */
  readonly endpointServed: ((route: object, method: string) => number) | undefined;
  /** undefined when the store could not be read. */
  readonly history: MigrationHistory | undefined;
  /** The routes the map plugin runs on (`plugins: { map: false }` takes a route out). */
  readonly counted: (routeId: string) => boolean;
  readonly now: number;
  readonly windowMs: number;
  readonly retireAfterMs: number;
}

/** What judging the endpoints takes: the map's parts without its counts. */
export type JudgeParts = Pick<MapParts, 'snapshot' | 'app' | 'history' | 'counted' | 'now' | 'retireAfterMs'>;

/** An endpoint with the route covering it and its state. */
interface JudgedEndpoint {
  readonly endpoint: AppEndpoint;
  readonly coverage: Coverage | undefined;
  readonly judged: Judgement;
}

const ENDPOINTS_PER_STEP = 100;

/** The endpoints judged, as steps of 100 endpoints. */
function* judgeSteps(parts: JudgeParts): Generator<void, JudgedEndpoint[]> {
  const endpoints = parts.app?.endpoints ?? [];
  const judged: JudgedEndpoint[] = [];
  if (endpoints.length === 0) return judged;
  const cover = coverEndpoints(parts.snapshot);
  for (let index = 0; index < endpoints.length; index++) {
    if (index > 0 && index % ENDPOINTS_PER_STEP === 0) yield;
    const endpoint = endpoints[index] as AppEndpoint;
    const coverage = cover(endpoint);
    const seen = { beforeFigway: endpoint.beforeFigway === true, counted: coverage === undefined || parts.counted(coverage.route.id) };
    judged.push({ endpoint, coverage, judged: judgeEndpoint(coverage, parts.history, parts.now, parts.retireAfterMs, seen) });
  }
  return judged;
}

/**
 * How many endpoints are in each state, for `figway_migration_endpoints`. Made every 10 s while
 * requests flow, so it leaves out what only the map shows (its counts and new routes: a pass over
 * every route) and judges 100 endpoints a turn: once in 10 s the code is cold, and 1,000 endpoints
 * took 5-11 ms at once.
 *
 * @example
 * ```ts
 * await countEndpointStates({ snapshot, app: readExpressRoutes(app), history, counted, now: Date.now(), retireAfterMs }); // { 'legacy-only': 9, 'rolling-out': 1, 'at-100': 1, 'ready-to-retire': 2 }
 * ```
 */
export async function countEndpointStates(parts: JudgeParts): Promise<Record<EndpointState, number>> {
  const counts = noneInEachState();
  for (const { judged } of await runStepsInTurns(judgeSteps(parts))) counts[judged.state] += 1;
  return counts;
}

function noneInEachState(): Record<EndpointState, number> {
  return Object.fromEntries(ENDPOINT_STATES.map((state) => [state, 0])) as Record<EndpointState, number>;
}

interface AreaSum {
  readonly endpoints: Record<EndpointState, number>;
  service: number;
  total: number;
}

/**
 * The map GET /map answers. A route covering several endpoints gives each of them its counts;
 * the strangled shares count each route once, in the area of its own path.
 *
 * @example
 * ```ts
 * const map = buildMap({ snapshot, app: readExpressRoutes(app), routeCounts, endpointServed: undefined, history, now: Date.now(), windowMs: 86_400_000, retireAfterMs: 14 * 86_400_000 });
 * map.endpoints[0]; // { method: 'GET', path: '/api/orders/:id', route: 'orders', state: 'rolling-out', why: ['still at 40%'], ... }
 * ```
 */
export function buildMap(parts: MapParts): MapAnswer {
  const { snapshot, app, routeCounts, endpointServed, now } = parts;
  const areas = new Map<string, AreaSum>();
  const areaSum = (area: string): AreaSum => {
    let sum = areas.get(area);
    if (sum === undefined) {
      sum = { endpoints: noneInEachState(), service: 0, total: 0 };
      areas.set(area, sum);
    }
    return sum;
  };
  const covering = new Set<string>();
  // One Express route can be several endpoints (an array of paths, a router mounted twice): its requests count once in the sums.
  const summed = new Map<object, Set<string>>();
  const endpoints = runSteps(judgeSteps(parts)).map(({ endpoint, coverage, judged }): MapEndpoint => {
    const area = areaOf(endpoint.path);
    const sum = areaSum(area);
    sum.endpoints[judged.state] += 1;
    const route = coverage?.route;
    let served: MapEndpoint['served'] = {};
    if (route !== undefined) {
      covering.add(route.id);
      served = sides(routeCounts.get(route.id));
    } else if (endpointServed !== undefined) {
      const legacy = endpointServed(endpoint.route, endpoint.method);
      served = { legacy };
      const methods = summed.get(endpoint.route) ?? new Set<string>();
      summed.set(endpoint.route, methods);
      if (!methods.has(endpoint.method)) sum.total += legacy;
      methods.add(endpoint.method);
    }
    return {
      method: endpoint.method,
      path: endpoint.path,
      area,
      ...(route === undefined ? {} : { route: route.id, percent: route.info.killed ? 0 : route.rollout.percent }),
      state: judged.state,
      why: [...judged.why],
      ...(judged.fullSince === undefined ? {} : { fullSince: new Date(judged.fullSince).toISOString() }),
      ...(judged.legacyLast === undefined ? {} : { legacyLast: new Date(judged.legacyLast).toISOString() }),
      served,
    };
  });
  const newRoutes: MapAnswer['newRoutes'] = [];
  for (const route of snapshot.routes) {
    const counts = routeCounts.get(route.id);
    if (!covering.has(route.id)) {
      newRoutes.push({ route: route.id, path: route.pattern.source, percent: route.info.killed ? 0 : route.rollout.percent, served: sides(counts) });
    } else if (counts !== undefined) {
      const sum = areaSum(areaOf(route.pattern.source));
      sum.service += counts[0];
      sum.total += counts[1];
    }
  }
  const whole = areaSum('*');
  for (const [area, sum] of areas) {
    if (area === '*') continue;
    for (const state of ENDPOINT_STATES) whole.endpoints[state] += sum.endpoints[state];
    whole.service += sum.service;
    whole.total += sum.total;
  }
  return {
    at: new Date(now).toISOString(),
    windowSeconds: parts.windowMs / 1000,
    retireAfterSeconds: parts.retireAfterMs / 1000,
    countLegacy: endpointServed !== undefined,
    monolith: app === undefined ? 'unknown' : 'express',
    endpoints,
    hidden: [...(app?.hidden ?? [])],
    newRoutes,
    areas: [['*', whole] as const, ...[...areas].filter(([area]) => area !== '*').sort(([a], [b]) => a.localeCompare(b))].map(([area, sum]) => ({
      area,
      endpoints: sum.endpoints,
      ...(sum.total === 0 ? {} : { strangled: sum.service / sum.total }),
    })),
    history: parts.history === undefined ? 'unavailable' : 'ok',
  };
}

function sides(counts: readonly [number, number] | undefined): MapEndpoint['served'] {
  return { service: counts?.[0] ?? 0, legacy: (counts?.[1] ?? 0) - (counts?.[0] ?? 0) };
}
