// The built-in `metrics` plugin: RED metrics per route and side, gateway vs upstream time, migration progress.
import { collectDefaultMetrics, Counter, Gauge, Histogram, register as globalRegistry, type Registry } from 'prom-client';
import { parseDuration } from '../config-kit/units.js';
import type { BreakerState, CircuitBreakers } from '../proxy/circuit-breaker.js';
import { DEFAULT_PERCENT } from '../rollout/rollout-schema.js';
import type { FigwayContext, FigwayPlugin, RouteInfo } from '../types.js';
import { StrangledWindow } from './strangled-window.js';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/** Every metric figway exports (the dashboard and alert rules may only use these). */
export const METRIC_NAMES = [
  'figway_requests_total',
  'figway_request_duration_seconds',
  'figway_upstream_duration_seconds',
  'figway_upstream_errors_total',
  'figway_rollout_percent',
  'figway_strangled_ratio',
  'figway_config_reloads_total',
  'figway_progressive_events_total',
  'figway_shadow_comparisons_total',
  'figway_auth_failures_total',
  'figway_upstream_certificate_expiry_seconds',
  'figway_circuit_breaker_state',
] as const;

/** figway_circuit_breaker_state's values. */
export const BREAKER_STATE_VALUES: Readonly<Record<BreakerState, number>> = { closed: 0, 'half-open': 1, open: 2 };

/** What the gauges read when Prometheus scrapes: one source per figway instance on the registry. */
interface GaugeSource {
  routes: readonly RouteInfo[];
  window: StrangledWindow | undefined;
  breakers: Pick<CircuitBreakers, 'state'> | undefined;
}

interface Metrics {
  requests: Counter<'route' | 'target' | 'method' | 'status_class'>;
  duration: Histogram<'route' | 'target'>;
  upstreamDuration: Histogram<'route' | 'upstream'>;
  upstreamErrors: Counter<'route' | 'upstream' | 'code'>;
  reloads: Counter<'result'>;
  progressiveEvents: Counter<'route' | 'event'>;
  shadowComparisons: Counter<'route' | 'result'>;
  authFailures: Counter<'route' | 'outcome'>;
  certificateExpiry: Gauge<'upstream'>;
  sources: Set<GaugeSource>;
}

// One set of metrics per registry: a second figway on the same registry shares them instead of
// failing with "already registered".
const byRegistry = new WeakMap<Registry, Metrics>();

function metricsOf(registry: Registry): Metrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const registers = [registry];
  const sources = new Set<GaugeSource>();
  const reuse = <T>(name: string, create: () => T): T => (registry.getSingleMetric(name) as T | undefined) ?? create();
  const metrics: Metrics = {
    requests: reuse('figway_requests_total', () => new Counter({
      name: 'figway_requests_total',
      help: 'Requests figway matched, by route, the side that served them (service, legacy, gateway when figway answered itself), method and status class.',
      labelNames: ['route', 'target', 'method', 'status_class'],
      registers,
    })),
    duration: reuse('figway_request_duration_seconds', () => new Histogram({
      name: 'figway_request_duration_seconds',
      help: 'Time from figway seeing a matched request to the end of its response, by route and side.',
      labelNames: ['route', 'target'],
      buckets: BUCKETS,
      registers,
    })),
    upstreamDuration: reuse('figway_upstream_duration_seconds', () => new Histogram({
      name: 'figway_upstream_duration_seconds',
      help: 'Time from sending a request to a service to its response headers; request duration minus this is gateway and transfer time.',
      labelNames: ['route', 'upstream'],
      buckets: BUCKETS,
      registers,
    })),
    upstreamErrors: reuse('figway_upstream_errors_total', () => new Counter({
      name: 'figway_upstream_errors_total',
      help: 'Requests figway could not get a response for from a service, by error code.',
      labelNames: ['route', 'upstream', 'code'],
      registers,
    })),
    reloads: reuse('figway_config_reloads_total', () => new Counter({ name: 'figway_config_reloads_total', help: 'Configuration reloads, by result (success or failure).', labelNames: ['result'], registers })),
    progressiveEvents: reuse('figway_progressive_events_total', () => new Counter({
      name: 'figway_progressive_events_total',
      help: 'What happened to progressive rollouts on this replica: start, step, done, breach (the guard rolled back), pause, resume, promote, rollback.',
      labelNames: ['route', 'event'],
      registers,
    })),
    shadowComparisons: reuse('figway_shadow_comparisons_total', () => new Counter({
      name: 'figway_shadow_comparisons_total',
      help: 'Shadowed requests by result: match, mismatch, or skipped (shadow side failed, timed out, body too large, too many in flight).',
      labelNames: ['route', 'result'],
      registers,
    })),
    authFailures: reuse('figway_auth_failures_total', () => new Counter({
      name: 'figway_auth_failures_total',
      help: 'Authentications that failed, by route and outcome: invalid (wrong credentials, counted by auth.throttle) or throttled (refused unchecked, 429).',
      labelNames: ['route', 'outcome'],
      registers,
    })),
    certificateExpiry: reuse('figway_upstream_certificate_expiry_seconds', () => new Gauge({
      name: 'figway_upstream_certificate_expiry_seconds',
      help: 'When the certificate each https service last presented expires, as a Unix time in seconds (from every new connection, and from the look figway takes when a handshake fails).',
      labelNames: ['upstream'],
      registers,
    })),
    sources,
  };
  reuse('figway_rollout_percent', () => new Gauge({
    name: 'figway_rollout_percent',
    help: 'Share of traffic each route sends to its service, 0 to 100, as configured now (runtime changes included; 0 while the kill switch is on).',
    labelNames: ['route'],
    registers,
    collect() {
      this.reset();
      for (const source of sources) for (const route of source.routes) this.set({ route: route.id }, route.killed ? 0 : (route.config.rollout?.percent ?? DEFAULT_PERCENT));
    },
  }));
  reuse('figway_circuit_breaker_state', () => new Gauge({
    name: 'figway_circuit_breaker_state',
    help: 'The circuit breaker of each route with one (fallback.breaker), on this replica: 0 closed (requests go to the service), 1 half-open (one probe request does), 2 open (legacy serves the route).',
    labelNames: ['route'],
    registers,
    collect() {
      this.reset();
      for (const { routes, breakers } of sources) {
        if (!breakers) continue;
        for (const route of routes) if (hasLiveBreaker(route)) this.set({ route: route.id }, BREAKER_STATE_VALUES[breakers.state(route.id)]);
      }
    },
  }));
  reuse('figway_strangled_ratio', () => new Gauge({
    name: 'figway_strangled_ratio',
    help: 'Share of the requests each route matched over the recent window that its new service served (a fallback is legacy serving), on this replica. Across routes and replicas, compute it from figway_requests_total.',
    labelNames: ['route'],
    registers,
    collect() {
      this.reset();
      for (const source of sources) {
        if (!source.window) continue;
        for (const [route, [s, t]] of source.window.counts().perRoute) this.set({ route }, s / t);
      }
    },
  }));
  metrics.reloads.inc({ result: 'success' }, 0);
  metrics.reloads.inc({ result: 'failure' }, 0);
  byRegistry.set(registry, metrics);
  return metrics;
}

/** The metrics other parts of figway keep (progressive rollouts, shadow traffic, auth failures, certificates), on the app's registry. */
export function safetyCounters(registry: Registry = globalRegistry): Pick<Metrics, 'progressiveEvents' | 'shadowComparisons' | 'authFailures' | 'certificateExpiry'> {
  return metricsOf(registry);
}

interface MetricsOptions {
  strangledWindow?: number | string;
  defaultMetrics?: boolean;
}

/**
 * The `metrics` plugin, on the app's prom-client registry (or the global one). Label values come
 * from the config only (route ids, upstream names, error codes, a fixed set of methods), so the
 * number of series depends on the config, never on the traffic.
 */
export function metricsPlugin(registry: Registry = globalRegistry, breakers?: Pick<CircuitBreakers, 'state'>): FigwayPlugin<MetricsOptions> {
  const metrics = metricsOf(registry);
  const source: GaugeSource = { routes: [], window: undefined, breakers };
  metrics.sources.add(source);
  return {
    name: 'metrics',
    order: -100,
    schema: {
      type: 'object',
      additionalProperties: false,
      properties: {
        defaultMetrics: {
          type: 'boolean',
          description: "Also collect Node's process metrics (CPU, memory, event-loop lag, GC: prom-client's default metrics) on figway's registry, for an app that has no registry of its own. Default false.",
        },
        strangledWindow: {
          type: ['integer', 'string'],
          pattern: '^[0-9]+(\\.[0-9]+)?(ms|s|m)$',
          description: 'Window over which figway_strangled_ratio is computed: milliseconds, or "30s", "5m". Default 5m.',
        },
      },
    },
    setup: ({ options, now }) => {
      // Once per registry (prom-client refuses to register them twice); they stay until the process ends.
      if (options.defaultMetrics === true && !registry.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics({ register: registry });
      const windowMs = parseDuration(options.strangledWindow ?? '5m');
      // The window outlives reloads (the share must not drop to nothing on every config change).
      if (source.window?.windowMs !== windowMs) source.window = new StrangledWindow(windowMs, now);
      const window = source.window;
      return { onResponse: (ctx) => observe(metrics, window, ctx) };
    },
    onConfig(event) {
      if (event.kind === 'rejected') {
        metrics.reloads.inc({ result: 'failure' });
        return;
      }
      source.routes = event.routes;
      if (event.kind !== 'reloaded') return;
      metrics.reloads.inc({ result: 'success' });
      // Forgetting the routes a reload dropped can wait a turn, off the turn that swaps the config in;
      // it goes by the routes serving then, should another reload have come first.
      setImmediate(() => {
        const kept = new Set(source.routes.map((route) => route.id));
        source.window?.keepOnly(kept);
        void forgetRoutes(metrics, kept);
      });
    },
    close() {
      metrics.sources.delete(source);
    },
  };
}

// Status classes by the status's first digit, made once rather than per request.
const STATUS_CLASSES = Array.from({ length: 10 }, (_, digit) => `${digit}xx`);

function observe(metrics: Metrics, window: StrangledWindow, ctx: FigwayContext): void {
  const { route: info, res, decision, error } = ctx;
  const route = info.id;
  const target = ctx.target;
  const method = ctx.req.method ?? '';
  const statusClass = res.writableFinished ? (STATUS_CLASSES[Math.floor(res.statusCode / 100)] as string) : 'aborted';
  metrics.requests.inc({ route, target, method: METHODS.has(method) ? method : 'OTHER', status_class: statusClass });
  metrics.duration.observe({ route, target }, (performance.now() - ctx.startedAt) / 1000);
  const latency = ctx.upstreamLatency;
  if (latency !== undefined) metrics.upstreamDuration.observe({ route, upstream: info.upstream.name }, latency / 1000);
  // Counted whoever answered: a failure legacy absorbed (fallback) is a failure all the same.
  const failure = ctx.upstreamFailure?.code ?? (error?.code.startsWith('FIGWAY_UPSTREAM_') ? error.code : undefined);
  if (failure !== undefined) metrics.upstreamErrors.inc({ route, upstream: info.upstream.name, code: failure });
  // Who served, not what was decided: a fallback is legacy's work.
  if (decision) window.record(route, target === 'service');
}

/**
 * A route with a breaker that still sends traffic to its service. Once rolled back to 0% or killed, no
 * probe goes out to move its breaker, so its state says nothing: the series goes (and its alert ends).
 */
function hasLiveBreaker(route: RouteInfo): boolean {
  const { fallback, rollout } = route.config;
  if (!fallback || fallback.breaker === false || route.killed) return false;
  return (rollout?.percent ?? DEFAULT_PERCENT) > 0 || Object.values(rollout?.cohorts ?? {}).includes('service');
}

/** Drops the series of routes a reload removed, so the series count follows the config. */
async function forgetRoutes(metrics: Metrics, kept: ReadonlySet<string>): Promise<void> {
  for (const metric of [metrics.requests, metrics.duration, metrics.upstreamDuration, metrics.upstreamErrors] as const) {
    const { values } = await metric.get();
    for (const { labels } of values) {
      const route = labels.route;
      if (typeof route === 'string' && !kept.has(route)) {
        const { le: _bucket, ...series } = labels as Record<string, string | number>;
        (metric as Counter<string>).remove(series);
      }
    }
  }
}
