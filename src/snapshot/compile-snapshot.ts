// Compiles a validated configuration into an immutable snapshot: route table, rollouts, upstreams, hooks.
import path from 'node:path';
import { compileErrorFormat } from '../error-response.js';
import { FigwayConfigError, type ConfigProblem } from '../errors.js';
import { compilePluginSteps, type CompiledPlugins, type PluginRuntime } from '../plugins/compile-plugins.js';
import type { Upstream, UpstreamPool } from '../proxy/upstream-pool.js';
import { TlsSettingProblem } from '../proxy/upstream-tls.js';
import { compileRewrite } from '../routing/upstream-path.js';
import { compileCohort, type Cohort } from '../rollout/cohorts.js';
import { compileOverride, compileRollout, effectiveRollout, withKillSwitch as rolloutWithKillSwitch, type RolloutCompile } from '../rollout/compile-rollout.js';
import type { Rollout } from '../rollout/decide-side.js';
import type { Override } from '../rollout/override.js';
import { applyRouteState, type IgnoredOverride } from '../state/apply-state.js';
import type { RuntimeState } from '../state/runtime-state.js';
import { compileConditions } from '../routing/match-conditions.js';
import { parsePathPattern, type PathPattern } from '../routing/path-pattern.js';
import { RouteTable } from '../routing/route-table.js';
import type { CompiledRoute, Snapshot } from './snapshot.js';
import { compileProgressive, withScheduledPercent, type CompiledProgressive } from '../progressive/compile-progressive.js';
import { compileFeatures } from '../route-features.js';
import type { AnyFigwayPlugin, RouteInfo } from '../types.js';
import { inlineSource } from '../config-kit/config-source.js';
import type { LoadedConfig } from '../config/load-config.js';
import { SharedParts } from '../config-kit/shared-parts.js';
import { fillProxySettings, fillRouteDefaults, type FigwayConfig, type RouteConfig } from '../config/schema.js';
import { compileTimeouts, fillTimeouts } from '../proxy/compile-timeouts.js';
import type { UpstreamConfig } from '../proxy/upstream-schema.js';
import { fillIdentity } from '../auth/auth-schema.js';
import { signedTokenHeaders } from '../auth/identity-headers.js';
import { parseSize } from '../config-kit/units.js';
import { runSteps, runStepsInTurns } from '../steps.js';

/** What compiling needs besides the config. */
export interface CompileDeps {
  readonly plugins: readonly AnyFigwayPlugin[];
  readonly upstreams: UpstreamPool;
  readonly version: number;
  readonly runtime: PluginRuntime;
  /** Runtime rollout changes and the kill switch, applied over the file. */
  readonly state: RuntimeState;
  /** The Express app's `case sensitive routing`, once figway knows its app: matching follows it unless the config says otherwise. */
  readonly appCaseSensitive?: boolean;
}

/**
 * The problem when the config's `matching.caseSensitive` differs from the app's routing: a path
 * spelled in another case would then match on one side only — with figway case-sensitive and the
 * app not, `GET /API/ADMIN` skips the route (and its auth) and reaches the app's `/api/admin`.
 */
export function caseSensitivityConflict(loaded: LoadedConfig, appCaseSensitive: boolean | undefined): FigwayConfigError | undefined {
  const configured = loaded.config.matching?.caseSensitive;
  if (configured === undefined || appCaseSensitive === undefined || configured === appCaseSensitive) return undefined;
  return new FigwayConfigError([
    loaded.source.problem(
      ['matching', 'caseSensitive'],
      `is ${configured} but the Express app's 'case sensitive routing' is ${appCaseSensitive}: a path in another case would skip the route (and its auth) on one side and reach a handler on the other. Leave matching.caseSensitive out to follow the app, or set both alike`,
    ),
  ]);
}

/**
 * Builds the snapshot a request runs on. Everything a request needs is computed here, once, so the
 * hot path only reads.
 *
 * @throws FigwayConfigError when plugin options are invalid or a plugin's setup fails.
 */
export function compileSnapshot(loaded: LoadedConfig, deps: CompileDeps): Snapshot {
  return runSteps(compileSteps(loaded, deps));
}

/**
 * The same snapshot, built a step at a time (the shared parts, then 50 routes a step) with the
 * event loop free in between, so a reload of a large table never holds requests up for long.
 *
 * @throws FigwayConfigError as compileSnapshot.
 */
export function compileSnapshotInSlices(loaded: LoadedConfig, deps: CompileDeps): Promise<Snapshot> {
  // A timer, not setImmediate: the loop then also waits for I/O a moment, so a request's hops (in,
  // to the service, back) are not each queued behind another step (the figures: RESULTS.md).
  return runStepsInTurns(compileSteps(loaded, deps), () => new Promise((resolve) => setTimeout(resolve, 0)));
}

const ROUTES_PER_STEP = 50;

/** What every route of one compile shares. */
interface RouteCompile {
  readonly config: FigwayConfig;
  readonly defaults: FilledDefaults;
  /** What every route's rollout shares (rollout/compile-rollout.ts). */
  readonly rollout: RolloutCompile;
  readonly state: RuntimeState;
  readonly now: number;
  readonly parts: SharedParts;
}

function routeCompile(config: FigwayConfig, cohorts: ReadonlyMap<string, Cohort>, override: Override | undefined, state: RuntimeState, now: number): RouteCompile {
  const defaults = filledDefaults(config);
  const parts = new SharedParts();
  return { config, defaults, rollout: { defaults, cohorts, override, killed: state.killSwitch, parts }, state, now, parts };
}

/** The config's `defaults`, every field filled in from the schema's built-in values. */
type FilledDefaults = Omit<ReturnType<typeof fillRouteDefaults>, 'timeouts'> & { readonly timeouts: ReturnType<typeof fillTimeouts> };

function filledDefaults(config: FigwayConfig): FilledDefaults {
  const defaults = fillRouteDefaults(config.defaults);
  return { ...defaults, timeouts: fillTimeouts(defaults.timeouts) };
}

/** A compiled route's parts that runtime state (rollout changes, progressive steps, the kill switch) changes. */
type RouteBase = Omit<CompiledRoute, 'info' | 'rollout' | 'progressive' | 'mayProxy'>;

/** The compile, as steps: each `yield` is a point where the event loop may serve requests. */
function* compileSteps(loaded: LoadedConfig, deps: CompileDeps): Generator<void, Snapshot> {
  // Whoever starts a compile has just done work of its own (receiving the config): a step apart.
  yield;
  const { config } = loaded;
  const conflict = caseSensitivityConflict(loaded, deps.appCaseSensitive);
  if (conflict) throw conflict;
  const caseSensitive = config.matching?.caseSensitive ?? deps.appCaseSensitive ?? false;
  const plugins = yield* compilePluginSteps(deps.plugins, config, loaded.source, deps.runtime);
  if (plugins.problems.length > 0) throw new FigwayConfigError(plugins.problems);
  yield;
  const cohorts = new Map(Object.entries(config.cohorts ?? {}).map(([name, cohort]) => [name, compileCohort(name, cohort)]));
  const compile = routeCompile(config, cohorts, compileOverride(config.override, cohorts), deps.state, deps.runtime.now());
  const upstreams = new UpstreamOpener(loaded, deps.upstreams);
  const table = new RouteTable<CompiledRoute>([], { caseSensitive });
  const routes: CompiledRoute[] = [];
  const ignored: IgnoredOverride[] = [];
  for (let index = 0; index < config.routes.length; index++) {
    if (index > 0 && index % ROUTES_PER_STEP === 0) yield;
    const route = config.routes[index] as RouteConfig;
    // Frozen with its route, so freezing the whole config at the end finds nothing left to do.
    deepFreeze(route);
    const upstream = upstreams.open(resolveUpstream(config, route));
    // Its problem is kept; the compile fails once every route's upstream has been tried.
    if (!upstream) continue;
    const stated = withState(compile, route, compileRouteBase(compile, route, upstream, plugins, caseSensitive));
    if (stated.ignored) ignored.push(stated.ignored);
    routes.push(stated.route);
    table.add(stated.route);
  }
  upstreams.throwProblems();
  const identity = fillIdentity(config.identity);
  return Object.freeze({
    version: deps.version,
    loadedAt: new Date(),
    loaded,
    state: deps.state,
    ignoredOverrides: ignored,
    config: deepFreeze(config),
    routes: Object.freeze(routes),
    table,
    cohorts,
    override: compile.rollout.override,
    errorFormat: compileErrorFormat(config.errors),
    userIdField: identity.userIdField,
    identityHeaderPrefix: identity.headerPrefix.toLowerCase(),
    signedTokenHeaders: signedTokenHeaders(config.auth, config.session),
    replayBodyLimit: parseSize(fillProxySettings(config.proxy).replayBodyLimit),
    mayProxy: routes.some((route) => route.mayProxy),
    endpoints: plugins.endpoints,
  });
}

/**
 * The snapshot with new runtime state. Only the routes the change touches are compiled again, and
 * only their rollout and what the admin API shows of them; the route table, upstreams and hooks are
 * the snapshot's own. A rollout change on a table of 10,000 routes takes well under a millisecond.
 *
 * @example
 * ```ts
 * const next = restateSnapshot(current, await store.load(), current.version + 1, Date.now());
 * ```
 */
export function restateSnapshot(snapshot: Snapshot, state: RuntimeState, version: number, now: number): Snapshot {
  const { config } = snapshot;
  const compile = routeCompile(config, snapshot.cohorts, snapshot.override, state, now);
  const touched = touchedRoutes(snapshot, state);
  const killSwitchMoved = snapshot.state.killSwitch !== state.killSwitch;
  const ignoredBefore = new Map(snapshot.ignoredOverrides.map((entry) => [entry.route, entry]));
  const ignored: IgnoredOverride[] = [];
  const routes = snapshot.routes.map((current, index) => {
    if (!touched.has(current.id)) {
      const kept = ignoredBefore.get(current.id);
      if (kept) ignored.push(kept);
      return killSwitchMoved ? withKillSwitch(current, state.killSwitch) : current;
    }
    const stated = withState(compile, config.routes[index] as RouteConfig, current);
    if (stated.ignored) ignored.push(stated.ignored);
    return stated.route;
  });
  return Object.freeze({
    ...snapshot,
    version,
    loadedAt: new Date(),
    state,
    ignoredOverrides: ignored,
    routes: Object.freeze(routes),
    table: snapshot.table.withRoutes(routes),
    mayProxy: routes.some((route) => route.mayProxy),
  });
}

/**
 * The routes whose rollout going from the snapshot's state to `state` changes, besides the kill
 * switch: those whose override changed, and progressive ones (their schedule is reconciled with the
 * clock). Found from the states' few overrides, not by looking each route up in them: at 10,000
 * routes those lookups alone took milliseconds.
 */
function touchedRoutes(snapshot: Snapshot, state: RuntimeState): ReadonlySet<string> {
  const before = snapshot.state.routes;
  const after = state.routes;
  const touched = new Set<string>();
  for (const id of new Set([...Object.keys(before), ...Object.keys(after)])) {
    if (JSON.stringify(before[id]) !== JSON.stringify(after[id])) touched.add(id);
  }
  for (const route of snapshot.routes) if (route.progressive) touched.add(route.id);
  return touched;
}

/** The route with only the kill switch changed: its rollout and info say so, and it may proxy only when off. */
function withKillSwitch(route: CompiledRoute, killed: boolean): CompiledRoute {
  const { info } = route;
  // Field by field, as compiledRoute: one hidden class for every route's info, however it was made.
  const nextInfo: RouteInfo = Object.freeze({ id: info.id, config: info.config, upstream: info.upstream, fileRollout: info.fileRollout, override: info.override, killed });
  return compiledRoute(route, nextInfo, rolloutWithKillSwitch(route.rollout, killed), route.progressive);
}

/** What a route is apart from its runtime state: where it matches, where it goes, and how. */
function compileRouteBase(compile: RouteCompile, route: RouteConfig, upstream: Upstream, plugins: CompiledPlugins, caseSensitive: boolean): RouteBase {
  const { config, parts, defaults } = compile;
  const { match, rewrite } = route;
  return {
    id: route.id,
    pattern: parsePathPattern(match.path, match.exact, (segment) =>
      parts.get(segment.kind === 'literal' ? `literal ${segment.value}` : `param ${segment.name}`, () => Object.freeze(segment)),
    ) as PathPattern,
    conditions:
      match.methods === undefined && match.host === undefined && match.headers === undefined
        ? undefined
        : parts.get(`conditions ${JSON.stringify([match.methods, match.host, match.headers])}`, () => compileConditions(match)),
    upstream,
    rewrite: parts.get(`rewrite ${JSON.stringify([rewrite?.stripPrefix, rewrite?.addPrefix])}`, () => compileRewrite(rewrite, caseSensitive)),
    timeouts: compileTimeouts(route.timeouts, upstream.config.timeouts, defaults.timeouts, parts),
    engine: upstream.config.engine ?? config.proxy?.engine,
    hooks: plugins.hooksFor(route),
    features: compileFeatures(route),
  };
}

/** The route with the runtime state applied: its rollout, its progressive schedule, and its info. */
function withState(compile: RouteCompile, fileRoute: RouteConfig, base: RouteBase): { route: CompiledRoute; ignored: IgnoredOverride | undefined } {
  const { config, state } = compile;
  const { route: overridden, ignored } = applyRouteState(config, fileRoute, state);
  const stored = state.progressive[fileRoute.id];
  // A progressive rollout's schedule sets the percent, whatever else was changed.
  const route = withScheduledPercent(overridden, stored);
  const effective = effectiveRoute(compile.defaults, route);
  const info: RouteInfo = Object.freeze({
    id: route.id,
    config: effective,
    upstream: base.upstream.info,
    fileRollout: (route === fileRoute ? effective.rollout : deepFreeze(effectiveRollout(compile.defaults, fileRoute.rollout))) as NonNullable<RouteConfig['rollout']>,
    override: ignored ? undefined : state.routes[route.id],
    killed: state.killSwitch,
  });
  return { route: compiledRoute(base, info, compileRollout(route.id, route.rollout, compile.rollout), compileProgressive(route.rollout, stored, compile.now)), ignored };
}

/**
 * A compiled route from its parts. Field by field: a spread of `base` would give every route a
 * hidden class of its own (10,000 routes, 10,000 shapes, and a far longer garbage collection).
 */
function compiledRoute(base: RouteBase, info: RouteInfo, rollout: Rollout, progressive: CompiledProgressive | undefined): CompiledRoute {
  return {
    id: base.id,
    pattern: base.pattern,
    conditions: base.conditions,
    upstream: base.upstream,
    rewrite: base.rewrite,
    timeouts: base.timeouts,
    engine: base.engine,
    hooks: base.hooks,
    features: base.features,
    info,
    rollout,
    progressive,
    mayProxy: !rollout.killed && (rollout.threshold > 0 || rollout.override !== undefined || rollout.cohorts.some((c) => c.side === 'service')),
  };
}

/**
 * Opens the routes' upstreams from the pool (TLS files relative to the config file), each once
 * however many routes share it, and keeps a problem at the `tls` field of each upstream whose TLS
 * settings cannot be used.
 */
class UpstreamOpener {
  private readonly baseDir: string;
  private readonly byName = new Map<string, Upstream | undefined>();
  private readonly problems = new Map<string, ConfigProblem>();

  constructor(
    private readonly loaded: LoadedConfig,
    private readonly pool: UpstreamPool,
  ) {
    this.baseDir = loaded.source.file === inlineSource().file ? process.cwd() : path.dirname(loaded.source.file);
  }

  /** The upstream, or undefined when its TLS settings cannot be used. */
  open({ name, config }: ResolvedUpstream): Upstream | undefined {
    if (this.byName.has(name)) return this.byName.get(name);
    let upstream: Upstream | undefined;
    try {
      upstream = this.pool.get(name, config, this.baseDir);
    } catch (err) {
      if (!(err instanceof TlsSettingProblem)) throw err;
      this.problems.set(name, this.loaded.source.problem(['upstreams', name, 'tls', err.field], err.message));
    }
    this.byName.set(name, upstream);
    return upstream;
  }

  /** @throws FigwayConfigError with every upstream's TLS problem, if any. */
  throwProblems(): void {
    if (this.problems.size > 0) throw new FigwayConfigError([...this.problems.values()]);
  }
}

interface ResolvedUpstream {
  readonly name: string;
  readonly config: UpstreamConfig;
}

/**
 * A route's upstream: a named entry, or an inline URL named after its host, so every route that
 * names the same URL shares one connection pool.
 */
function resolveUpstream(config: FigwayConfig, route: RouteConfig): ResolvedUpstream {
  const named = config.upstreams?.[route.upstream];
  return named ? { name: route.upstream, config: named } : { name: new URL(route.upstream).host, config: { url: route.upstream } };
}

/** The route with the defaults that apply to it written out, so an audit sees what actually runs. */
function effectiveRoute(defaults: FilledDefaults, route: RouteConfig): RouteConfig {
  return deepFreeze({ ...route, rollout: effectiveRollout(defaults, route.rollout) });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    // for...in, not Object.values: no array per object, which at 10,000 routes is garbage the collector pauses for.
    for (const key in value) deepFreeze(value[key]);
  }
  return value;
}
