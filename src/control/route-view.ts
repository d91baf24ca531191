// The routing table as the admin API shows it: everything that decides where a request goes.
import type { CompiledRoute, Snapshot } from '../snapshot.js';

/** One route, for audits: match, upstream, rewrite, timeouts, plugins, rollout and where it comes from. */
export function routeView(route: CompiledRoute) {
  const { info } = route;
  const { rollout, ...config } = info.config;
  return {
    ...config,
    upstream: info.upstream,
    timeouts: route.timeouts,
    rollout: { ...rollout, source: info.override ? 'runtime' : 'file', killed: info.killed },
    fileRollout: info.fileRollout,
    override: info.override ?? null,
  };
}

/** The whole table, with the versions an auditor needs to cite. */
export function routesView(snapshot: Snapshot) {
  return {
    configVersion: snapshot.version,
    stateRevision: snapshot.state.revision,
    killSwitch: snapshot.state.killSwitch,
    routes: snapshot.routes.map(routeView),
    ignoredOverrides: snapshot.ignoredOverrides.map(({ route, problems }) => ({ route, problems: problems.map((p) => `${p.path} ${p.message}`) })),
  };
}
