// The built-in `metrics` plugin: RED metrics per route and side, gateway vs upstream time, migration progress.
import { collectDefaultMetrics, Gauge, Histogram, register as globalRegistry, type Counter, type Registry } from 'prom-client';
import { parseDuration } from '../config-kit/units.js';
import { counterOn, metricOn, type RouteGauge } from '../prometheus-metric.js';
import type { FigwayContext, FigwayPlugin, RouteInfo } from '../types.js';
import { StrangledWindow } from './strangled-window.js';

const BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT']);

/** The metrics this plugin makes itself; capabilities declare theirs in their own folders (src/metric-names.ts lists them all). */
export const REQUEST_METRIC_NAMES = [
  'figway_requests_total',
  'figway_request_duration_seconds',
  'figway_upstream_duration_seconds',
  'figway_upstream_errors_total',
  'figway_strangled_ratio',
  'figway_config_reloads_total',
] as const;

/** What the gauges read when Prometheus scrapes: one source per figway instance on the registry. */
interface GaugeSource {
  routes: readonly RouteInfo[];
  window: StrangledWindow | undefined;
  /** The per-route gauges this instance was given, by name. */
  gauges: ReadonlyMap<string, RouteGauge>;
}

interface Metrics {
  requests: Counter<'route' | 'target' | 'method' | 'status_class'>;
  duration: Histogram<'route' | 'target'>;
  upstreamDuration: Histogram<'route' | 'upstream'>;
  upstreamErrors: Counter<'route' | 'upstream' | 'code'>;
  reloads: Counter<'result'>;
  sources: Set<GaugeSource>;
}

// One set of metrics per registry: a second figway on the same registry shares them instead of
// failing with "already registered".
const byRegistry = new WeakMap<Registry, Metrics>();

function metricsOf(registry: Registry): Metrics {
  const existing = byRegistry.get(registry);
  if (existing) return existing;
  const sources = new Set<GaugeSource>();
  const metrics: Metrics = {
    requests: counterOn(registry, 'figway_requests_total', 'Requests figway matched, by route, the side that served them (service, legacy, gateway when figway answered itself), method and status class.', ['route', 'target', 'method', 'status_class']),
    duration: metricOn(registry, 'figway_request_duration_seconds', (registers) => new Histogram({
      name: 'figway_request_duration_seconds',
      help: 'Time from figway seeing a matched request to the end of its response, by route and side.',
      labelNames: ['route', 'target'],
      buckets: BUCKETS,
      registers,
    })),
    upstreamDuration: metricOn(registry, 'figway_upstream_duration_seconds', (registers) => new Histogram({
      name: 'figway_upstream_duration_seconds',
      help: 'Time from sending a request to a service to its response headers; request duration minus this is gateway and transfer time.',
      labelNames: ['route', 'upstream'],
      buckets: BUCKETS,
      registers,
    })),
    upstreamErrors: counterOn(registry, 'figway_upstream_errors_total', 'Requests figway could not get a response for from a service, by error code.', ['route', 'upstream', 'code']),
    reloads: counterOn(registry, 'figway_config_reloads_total', 'Configuration reloads, by result (success or failure).', ['result']),
    sources,
  };
  metricOn(registry, 'figway_strangled_ratio', (registers) => new Gauge({
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

/** Registers a capability's per-route gauge on the registry (once), read over every instance's routes that was given it. */
function registerRouteGauge(registry: Registry, sources: ReadonlySet<GaugeSource>, { name, help }: RouteGauge): void {
  metricOn(registry, name, (registers) => new Gauge({
    name,
    help,
    labelNames: ['route'],
    registers,
    collect() {
      this.reset();
      for (const source of sources) {
        const gauge = source.gauges.get(name);
        if (!gauge) continue;
        for (const route of source.routes) {
          const value = gauge.value(route);
          if (value !== undefined) this.set({ route: route.id }, value);
        }
      }
    },
  }));
}

interface MetricsOptions {
  strangledWindow?: number | string;
  defaultMetrics?: boolean;
}

/**
 * The `metrics` plugin, on the app's prom-client registry (or the global one). Label values come
 * from the config only (route ids, upstream names, error codes, a fixed set of methods), so the
 * number of series depends on the config, never on the traffic. `gauges` are the per-route gauges
 * capabilities declare (rollout percent, breaker state), read over the routes serving now.
 */
export function metricsPlugin(registry: Registry = globalRegistry, gauges: readonly RouteGauge[] = []): FigwayPlugin<MetricsOptions> {
  const metrics = metricsOf(registry);
  const source: GaugeSource = { routes: [], window: undefined, gauges: new Map(gauges.map((gauge) => [gauge.name, gauge])) };
  for (const gauge of gauges) registerRouteGauge(registry, metrics.sources, gauge);
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
