// The routing table as the admin API shows it: everything that decides where a request goes.
import type { Static } from '@sinclair/typebox';
import { Route } from '../config/schema.js';
import { progressiveView } from '../progressive/progressive-view.js';
import { featureViews, type FeaturesLive } from '../route-features.js';
import type { CompiledRoute, Snapshot } from '../snapshot/snapshot.js';
import type { RoutesViewSchema, RouteViewSchema } from './route-view-schema.js';

/** What only the running gateway knows about a route, besides its config: here, and what the route features' views read. */
export type RouteLive = FeaturesLive & {
  /** Requests the service served at a progressive route's current step, on this replica. */
  servedAtStep(routeId: string): number;
};

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
    progressive: route.progressive ? progressiveView(route.progressive, route.rollout.percent, live.servedAtStep(route.id)) : null,
    ...featureViews({ id: route.id, config, features: route.features }, live),
  };
}

/** The route's config without the keys an app's own plugins declare: the view's schema (and OpenAPI document) has figway's keys only. */
function figwayFields(config: CompiledRoute['info']['config']): CompiledRoute['info']['config'] {
  const own = Object.entries(config).filter(([key]) => key in Route.properties);
  return own.length === Object.keys(config).length ? config : (Object.fromEntries(own) as CompiledRoute['info']['config']);
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
