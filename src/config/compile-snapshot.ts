// Compiles a validated configuration into an immutable snapshot: route table, rollouts, upstreams, hooks.
import path from 'node:path';
import { compileErrorFormat } from '../error-response.js';
import { FigwayConfigError, type ConfigProblem } from '../errors.js';
import { compilePluginSteps, type PluginRuntime } from '../plugins/compile-plugins.js';
import type { Upstream, UpstreamPool } from '../proxy/upstream-pool.js';
import { TlsSettingProblem } from '../proxy/upstream-tls.js';
import { compileRewrite } from '../proxy/upstream-path.js';
import { compileCohort, type Cohort } from '../rollout/cohorts.js';
import { percentToThreshold, type Rollout } from '../rollout/decide-side.js';
import type { Override } from '../rollout/override.js';
import { compileSticky } from '../rollout/sticky-key.js';
import { applyState } from '../state/apply-state.js';
import type { RuntimeState } from '../state/runtime-state.js';
import { compileConditions } from '../routing/match-conditions.js';
import { parsePathPattern } from '../routing/path-pattern.js';
import { RouteTable } from '../routing/route-table.js';
import type { CompiledFallback, CompiledProgressive, CompiledRoute, CompiledShadow, Snapshot } from '../snapshot.js';
import { parseIgnore } from '../shadow/ignore-paths.js';
import { reconcile } from '../progressive/schedule.js';
import type { AnyFigwayPlugin } from '../types.js';
import { inlineSource } from './config-source.js';
import type { LoadedConfig } from './load-config.js';
import type { FigwayConfig, RouteConfig, UpstreamConfig } from './schema.js';
import { parseDuration, parseSize } from './units.js';

const DEFAULT_STICKY = ['user', 'ip'];
const DEFAULT_TIMEOUTS = { connect: '2s', response: '30s', idle: '60s' };

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
  const steps = compileSteps(loaded, deps);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/**
 * The same snapshot, built a step at a time (the shared parts, then 100 routes a step) with the
 * event loop free in between, so a reload of a large table never holds requests up for long.
 *
 * @throws FigwayConfigError as compileSnapshot.
 */
export async function compileSnapshotInSlices(loaded: LoadedConfig, deps: CompileDeps): Promise<Snapshot> {
  const steps = compileSteps(loaded, deps);
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    await new Promise((resolve) => setImmediate(resolve));
  }
}

const ROUTES_PER_STEP = 100;

/** The compile, as steps: each `yield` is a point where the event loop may serve requests. */
function* compileSteps(loaded: LoadedConfig, deps: CompileDeps): Generator<void, Snapshot> {
  // Whoever starts a compile has just done work of its own (receiving the config): a step apart.
  yield;
  const { config, source } = loaded;
  const conflict = caseSensitivityConflict(loaded, deps.appCaseSensitive);
  if (conflict) throw conflict;
  const caseSensitive = config.matching?.caseSensitive ?? deps.appCaseSensitive ?? false;
  const plugins = yield* compilePluginSteps(deps.plugins, config, source, deps.runtime);
  if (plugins.problems.length > 0) throw new FigwayConfigError(plugins.problems);
  yield;
  const applied = applyState(config, deps.state);
  const cohorts = new Map(Object.entries(config.cohorts ?? {}).map(([name, cohort]) => [name, compileCohort(name, cohort)]));
  const override = compileOverride(config, cohorts);
  const resolved = applied.config.routes.map((route) => resolveUpstream(config, route));
  yield;
  const upstreams = openUpstreams(loaded, resolved, deps.upstreams);
  yield;
  const now = deps.runtime.now();
  const table = new RouteTable<CompiledRoute>([], { caseSensitive });
  const routes: CompiledRoute[] = [];
  for (let index = 0; index < applied.config.routes.length; index++) {
    if (index > 0 && index % ROUTES_PER_STEP === 0) yield;
    const route = applied.config.routes[index] as RouteConfig;
    const fileRoute = config.routes[index] as RouteConfig;
    const upstreamConfig = resolved[index] as ResolvedUpstream;
    const upstream = upstreams[index] as Upstream;
    const rollout = compileRollout(config, route, cohorts, override, deps.state.killSwitch);
    const effective = effectiveRoute(config, route);
    // The most specific setting wins: route, then upstream, then defaults, then built-in.
    const timeout = (name: keyof typeof DEFAULT_TIMEOUTS) =>
      parseDuration(route.timeouts?.[name] ?? upstreamConfig.config.timeouts?.[name] ?? config.defaults?.timeouts?.[name] ?? DEFAULT_TIMEOUTS[name]);
    // Frozen with its route, so freezing the whole config at the end finds nothing left to do.
    deepFreeze(fileRoute);
    const compiled: CompiledRoute = {
      id: route.id,
      info: Object.freeze({
        id: route.id,
        config: effective,
        upstream: { name: upstream.name, url: upstream.url.href, ...(upstream.tls ? { tls: upstream.tls.info } : {}) },
        fileRollout: effectiveRoute(config, fileRoute).rollout as NonNullable<RouteConfig['rollout']>,
        override: applied.ignored.some((i) => i.route === route.id) ? undefined : deps.state.routes[route.id],
        killed: deps.state.killSwitch,
      }),
      pattern: parsePathPattern(route.match.path, route.match.exact) as Exclude<ReturnType<typeof parsePathPattern>, string>,
      conditions: compileConditions(route.match),
      upstream,
      rewrite: compileRewrite(route.rewrite, caseSensitive),
      rollout,
      timeouts: {
        connect: timeout('connect'),
        response: timeout('response'),
        idle: timeout('idle'),
      },
      engine: upstreamConfig.config.engine ?? config.proxy?.engine,
      hooks: plugins.hooksFor(route),
      fallback: compileFallback(route.fallback),
      progressive: compileProgressive(route, deps.state, now),
      shadow: compileShadow(route.shadow),
      mayProxy: !rollout.killed && (rollout.threshold > 0 || rollout.override !== undefined || rollout.cohorts.some((c) => c.side === 'service')),
    };
    routes.push(compiled);
    table.add(compiled);
  }
  return Object.freeze({
    version: deps.version,
    loadedAt: new Date(),
    loaded,
    state: deps.state,
    ignoredOverrides: applied.ignored,
    config: deepFreeze(config),
    routes: Object.freeze(routes),
    table,
    errorFormat: compileErrorFormat(config.errors),
    userIdField: config.identity?.userIdField ?? 'id',
    identityHeaderPrefix: (config.identity?.headerPrefix ?? 'x-user-').toLowerCase(),
    replayBodyLimit: parseSize(config.proxy?.replayBodyLimit ?? '10mb'),
    mayProxy: routes.some((route) => route.mayProxy),
    endpoints: plugins.endpoints,
  });
}

/**
 * Opens the routes' upstreams from the pool (TLS files relative to the config file).
 *
 * @throws FigwayConfigError with a problem at the `tls` field of each upstream whose TLS settings cannot be used.
 */
function openUpstreams(loaded: LoadedConfig, resolved: readonly ResolvedUpstream[], pool: UpstreamPool): Upstream[] {
  const baseDir = loaded.source.file === inlineSource().file ? process.cwd() : path.dirname(loaded.source.file);
  const problems = new Map<string, ConfigProblem>();
  // Many routes share an upstream: each is opened once.
  const byName = new Map<string, Upstream | undefined>();
  const opened = resolved.flatMap(({ name, config }) => {
    if (byName.has(name)) {
      const upstream = byName.get(name);
      return upstream ? [upstream] : [];
    }
    try {
      const upstream = pool.get(name, config, baseDir);
      byName.set(name, upstream);
      return [upstream];
    } catch (err) {
      if (!(err instanceof TlsSettingProblem)) throw err;
      byName.set(name, undefined);
      problems.set(name, loaded.source.problem(['upstreams', name, 'tls', err.field], err.message));
      return [];
    }
  });
  if (problems.size > 0) throw new FigwayConfigError([...problems.values()]);
  return opened;
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

function compileRollout(config: FigwayConfig, route: RouteConfig, cohorts: Map<string, Cohort>, override: Override | undefined, killed: boolean): Rollout {
  const rollout = route.rollout ?? {};
  const percent = rollout.percent ?? 100;
  return {
    routeId: route.id,
    percent,
    threshold: percentToThreshold(percent),
    sticky: compileSticky(rollout.sticky ?? config.defaults?.sticky ?? DEFAULT_STICKY),
    unkeyed: rollout.unkeyed ?? config.defaults?.unkeyed ?? 'legacy',
    cohorts: Object.entries(rollout.cohorts ?? {}).map(([name, side]) => ({ cohort: cohorts.get(name) as Cohort, side })),
    override,
    killed,
  };
}

function compileOverride(config: FigwayConfig, cohorts: Map<string, Cohort>): Override | undefined {
  const override = config.override;
  if (!override) return undefined;
  return {
    header: override.header?.toLowerCase(),
    cookie: override.cookie,
    cohort: override.cohort === undefined ? undefined : cohorts.get(override.cohort),
  };
}

/** The route with the defaults that apply to it written out, so an audit sees what actually runs. */
function effectiveRoute(config: FigwayConfig, route: RouteConfig): RouteConfig {
  return deepFreeze({
    ...route,
    rollout: {
      percent: 100,
      sticky: config.defaults?.sticky ?? DEFAULT_STICKY,
      unkeyed: config.defaults?.unkeyed ?? 'legacy',
      ...route.rollout,
    },
  });
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item);
  }
  return value;
}

function compileFallback(fallback: RouteConfig['fallback']): CompiledFallback | undefined {
  if (!fallback) return undefined;
  const on = fallback.on ?? ['refused', 'timeout', 502, 503, 504];
  const breaker = fallback.breaker === false ? undefined : { failures: fallback.breaker?.failures ?? 5, cooldownMs: parseDuration(fallback.breaker?.cooldown ?? '30s') };
  return { on: new Set(on.filter((o): o is 'refused' | 'timeout' | 'tls' => typeof o === 'string')), statuses: new Set(on.filter((o): o is number => typeof o === 'number')), breaker };
}

function compileShadow(shadow: RouteConfig['shadow']): CompiledShadow | undefined {
  if (!shadow) return undefined;
  return {
    threshold: percentToThreshold(shadow.percent),
    methods: new Set((shadow.methods ?? ['GET', 'HEAD']).map((method) => method.toUpperCase())),
    headers: (shadow.compare?.headers ?? ['content-type']).map((name) => name.toLowerCase()),
    ignore: (shadow.compare?.ignore ?? []).map(parseIgnore),
    samples: shadow.samples ?? 20,
    maxBodyBytes: parseSize(shadow.maxBody ?? '256kb'),
    timeoutMs: parseDuration(shadow.timeout ?? '5s'),
    concurrency: shadow.concurrency ?? 8,
  };
}

function compileProgressive(route: RouteConfig, state: RuntimeState, now: number): CompiledProgressive | undefined {
  const rollout = route.rollout;
  if (!rollout?.steps) return undefined;
  const stored = state.progressive[route.id];
  const entry = reconcile(rollout.steps, stored, now);
  const guard = rollout.guard === false ? undefined : rollout.guard;
  return {
    settings: {
      steps: rollout.steps,
      minStepTimeMs: parseDuration(rollout.minStepTime ?? '10m'),
      minStepRequests: rollout.minStepRequests ?? 100,
      guard: rollout.guard === false
        ? undefined
        : {
            minRequests: guard?.minRequests ?? 50,
            maxErrorRateIncrease: guard?.maxErrorRateIncrease ?? 0.02,
            maxP99Ratio: guard?.maxP99Ratio ?? 1.5,
            minP99IncreaseMs: parseDuration(guard?.minP99Increase ?? '20ms'),
            onBreach: guard?.onBreach ?? 'rollback',
          },
    },
    entry,
    stored: entry === stored,
  };
}
