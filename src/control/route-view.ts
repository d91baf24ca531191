// The routing table as the admin API shows it: everything that decides where a request goes.
import type { Static } from '@sinclair/typebox';
import { Route } from '../config/schema.js';
import type { BreakerState, UpstreamFailure } from '../proxy/circuit-breaker.js';
import type { CompiledRoute, Snapshot } from '../snapshot/snapshot.js';
import type { ShadowReport } from '../shadow/shadow-book.js';
import type { RoutesViewSchema, RouteViewSchema } from './route-view-schema.js';

/** What only the running gateway knows about a route, besides its config. */
export interface RouteLive {
  /** Requests the service served at a progressive route's current step, on this replica. */
  servedAtStep(routeId: string): number;
  /** The circuit breaker of a route with a fallback, on this replica. */
  breaker(routeId: string): BreakerState;
  /** The latest failure of a route's service on this replica (also one legacy absorbed). */
  lastFailure(routeId: string): UpstreamFailure | undefined;
  /** What shadow traffic found on a route, on this replica. */
  shadow(routeId: string): ShadowReport;
}

/**
 * One route, for audits: match, upstream, rewrite, timeouts, plugins, rollout and where it comes
 * from, and where its progressive rollout, circuit breaker and shadow traffic are.
 */
export function routeView(route: CompiledRoute, live: RouteLive): Static<typeof RouteViewSchema> {
  const { info } = route;
  const { rollout, ...config } = figwayFields(info.config);
  return {
    ...config,
    upstream: info.upstream,
    timeouts: route.timeouts,
    rollout: { ...rollout, source: route.progressive ? 'progressive' : info.override ? 'runtime' : 'file', killed: info.killed },
    fileRollout: info.fileRollout,
    override: info.override ?? null,
    progressive: progressiveView(route, live),
    breaker: route.features.fallback?.breaker ? live.breaker(route.id) : null,
    lastUpstreamError: live.lastFailure(route.id) ?? null,
    shadow: config.shadow ?? null,
  };
}

/** The route's config without the keys an app's own plugins declare: the view's schema (and OpenAPI document) has figway's keys only. */
function figwayFields(config: CompiledRoute['info']['config']): CompiledRoute['info']['config'] {
  const own = Object.entries(config).filter(([key]) => key in Route.properties);
  return own.length === Object.keys(config).length ? config : (Object.fromEntries(own) as CompiledRoute['info']['config']);
}

function progressiveView(route: CompiledRoute, live: RouteLive) {
  if (!route.progressive) return null;
  const { settings, entry } = route.progressive;
  return {
    steps: [...entry.steps],
    step: entry.step,
    state: entry.state,
    percent: route.rollout.percent,
    since: new Date(entry.since).toISOString(),
    requestsAtStep: live.servedAtStep(route.id),
    minStepRequests: settings.minStepRequests,
    // The earliest the next step can come; it also waits for the requests and a guard that holds.
    nextAt: entry.state === 'running' ? new Date(entry.since + settings.minStepTimeMs).toISOString() : null,
    reason: entry.reason ?? null,
    guard: settings.guard ?? null,
  };
}

/** The whole table, with the versions an auditor needs to cite. */
export function routesView(snapshot: Snapshot, live: RouteLive): Static<typeof RoutesViewSchema> {
  return {
    configVersion: snapshot.version,
    stateRevision: snapshot.state.revision,
    killSwitch: snapshot.state.killSwitch,
    routes: snapshot.routes.map((route) => routeView(route, live)),
    ignoredOverrides: snapshot.ignoredOverrides.map(({ route, problems }) => ({ route, problems: problems.map((p) => `${p.path} ${p.message}`) })),
  };
}
