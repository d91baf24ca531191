// Which figway route covers each monolith endpoint: the route a request to it would match, by path and method.
import type { IncomingMessage } from 'node:http';
import type { RouteTable } from '../routing/route-table.js';
import { normalizePath } from '../routing/normalize-path.js';
import type { CompiledRoute, Snapshot } from '../snapshot/snapshot.js';
import { samplePath } from './sample-path.js';

/** The route covering an endpoint; `partly` when the route takes only some of its requests (host or header conditions, other methods). */
export interface Coverage {
  readonly route: CompiledRoute;
  readonly partly: boolean;
}

/** An endpoint as coverage needs it. */
export interface EndpointPath {
  readonly method: string;
  readonly path: string;
  /** A RegExp path: no request path can be made from it. */
  readonly regexp?: boolean;
}

interface Probe {
  readonly pattern: CompiledRoute['pattern'];
  readonly conditions: CompiledRoute['conditions'];
  /** The route's place in the snapshot's routes, where a runtime change keeps every path. */
  readonly index: number;
}

/**
 * Probe tables by the loaded config they were made for: a runtime change makes a snapshot with the
 * same routes in the same places, so the probes are made once per config, not on every map.
 */
const probeTables = new WeakMap<object, RouteTable<Probe>>();

/**
 * A function giving each endpoint's covering route, or undefined. The snapshot's own table would
 * pass over a route with host or header conditions (a probe has no headers), so its trie is searched
 * with routes keeping method conditions only, and such a route covers `partly`.
 *
 * @example
 * ```ts
 * const cover = coverEndpoints(snapshot);
 * cover({ method: 'GET', path: '/api/orders/:id' })?.route.id; // 'orders'
 * ```
 */
export function coverEndpoints(snapshot: Snapshot): (endpoint: EndpointPath) => Coverage | undefined {
  const table = probeTableOf(snapshot);
  return (endpoint) => {
    const sample = endpoint.regexp ? undefined : samplePath(endpoint.path);
    if (sample === undefined) return undefined;
    const path = normalizePath(sample);
    if (typeof path !== 'string') return undefined;
    const all = endpoint.method === 'ALL';
    const found = table.find({ method: all ? 'GET' : endpoint.method, headers: {} } as IncomingMessage, path);
    if (found === undefined) return undefined;
    const route = snapshot.routes[found.index] as CompiledRoute;
    const conditions = route.conditions;
    return { route, partly: conditions !== undefined && (conditions.hosts !== undefined || conditions.headers !== undefined || (all && conditions.methods !== undefined)) };
  };
}

function probeTableOf(snapshot: Snapshot): RouteTable<Probe> {
  const cached = probeTables.get(snapshot.loaded);
  if (cached !== undefined && cached.caseSensitive === snapshot.table.caseSensitive) return cached;
  const probes = snapshot.routes.map(
    (route, index): Probe => ({
      pattern: route.pattern,
      conditions: route.conditions?.methods === undefined ? undefined : { methods: route.conditions.methods, hosts: undefined, headers: undefined },
      index,
    }),
  );
  const table = snapshot.table.withRoutes(probes);
  probeTables.set(snapshot.loaded, table);
  return table;
}
