// The route features that act on requests themselves, by route key. Adding one is its folder, its line in ROUTE_FEATURES and its line here.
import type { IncomingMessage } from 'node:http';
import type { RequestContext } from './context.js';
import { FigwayError } from './errors.js';
import type { FeatureRuntimeDeps, FeatureRuntimePart } from './feature-runtime.js';
import type { CompiledFeatures } from './route-features.js';
import { shadowRuntime } from './shadow/shadow-runtime.js';

type FeatureKey = keyof CompiledFeatures;

/**
 * Each feature's runtime by its route key. A feature whose compiled key is only read by another
 * part (fallback: by dispatch and its circuit breakers) has none.
 */
export const FEATURE_RUNTIMES: { readonly [K in FeatureKey]?: FeatureRuntimePart<CompiledFeatures[K]> } = { shadow: shadowRuntime };

/** One gateway's feature runtimes, as the pipeline and the admin API use them. */
export interface RunningFeatures {
  /** The runtimes that act at dispatch, each with the key it reads of a route's compiled features. */
  readonly atDispatch: readonly AtDispatch[];
  /** Whether a request is one a feature made itself (see `FeatureRuntime.ownRequest`). */
  readonly ownRequests: readonly ((req: IncomingMessage) => boolean)[];
}

/** One gateway's feature runtimes, with their reports for the admin API. */
export interface FeatureRuntimes extends RunningFeatures {
  /** A reporting feature's answer for one route (`config`: the route's config as it runs). */
  report(key: string, route: { readonly id: string; readonly config: Readonly<Record<string, unknown>> }): object;
}

interface AtDispatch {
  readonly key: FeatureKey;
  readonly run: (ctx: RequestContext, compiled: object) => void;
}

type Entry = [FeatureKey, FeatureRuntimePart<unknown>];
const ENTRIES = Object.entries(FEATURE_RUNTIMES) as Entry[];

/** Every feature runtime's metrics, by name. */
export const FEATURE_METRIC_NAMES: readonly string[] = ENTRIES.flatMap(([, part]) => part.metrics);

/** The features that report, each with its admin endpoint's documentation. */
export const FEATURE_REPORTS = ENTRIES.flatMap(([key, part]) => (part.report ? [{ key, ...part.report }] : []));

/** Makes every feature's runtime for one gateway. */
export function startFeatureRuntimes(deps: FeatureRuntimeDeps): FeatureRuntimes {
  const running = ENTRIES.map(([key, part]) => ({ key, runtime: part.make(deps) }));
  const reports = new Map(running.flatMap(({ key, runtime }) => (runtime.report ? [[key as string, runtime.report] as const] : [])));
  return {
    atDispatch: running.flatMap(({ key, runtime }) => (runtime.atDispatch ? [{ key, run: runtime.atDispatch }] : [])),
    ownRequests: running.flatMap(({ runtime }) => (runtime.ownRequest ? [runtime.ownRequest] : [])),
    report(key, route) {
      const report = reports.get(key);
      if (!report) throw new FigwayError('FIGWAY_ADMIN_NOT_FOUND', `no report for route feature "${key}"`);
      return report({ id: route.id, config: route.config[key] });
    },
  };
}

/** No feature acts on a WebSocket upgrade: a copy of its handshake, say, would be a plain GET. */
export const NO_RUNNING_FEATURES: RunningFeatures = { atDispatch: [], ownRequests: [] };
