// figway(options): load the config, build the pipeline, start runtime control, return the one-line middleware.
import path from 'node:path';
import { register as globalRegistry } from 'prom-client';
import { startAdminServer, type AdminServer } from './admin/admin-server.js';
import { authFailures } from './auth/auth-metrics.js';
import { authPlugin } from './auth/auth-plugin.js';
import { fillReload, type FigwayConfig } from './config/schema.js';
import { Controller } from './control/controller.js';
import { watchConfigFile } from './control/watch-config.js';
import { rateLimitPlugin } from './limits/rate-limit-plugin.js';
import { createLiveStats } from './observe/live-stats.js';
import { createDiagnostics } from './diagnostics.js';
import { NO_RUNNING_FEATURES, startFeatureRuntimes } from './feature-runtimes.js';
import { defaultLogger, loggingPlugin } from './observe/logging.js';
import { createMetricsHandler } from './observe/metrics-handler.js';
import { metricsPlugin } from './observe/metrics.js';
import { openTelemetryPlugin } from './observe/opentelemetry.js';
import { traceContextPlugin } from './observe/trace-context.js';
import { createPipeline } from './pipeline.js';
import { migrationEndpointsGauge } from './map/map-metrics.js';
import { createMigrationMap } from './map/migration-map.js';
import { registerPlugins } from './plugins/register-plugins.js';
import { ProgressiveEngine } from './control/progressive-engine.js';
import { progressiveEvents } from './progressive/progressive-metrics.js';
import { attachBodyKeeper } from './attach-body-keeper.js';
import { breakerGauge } from './proxy/breaker-metrics.js';
import { CircuitBreakers } from './proxy/circuit-breaker.js';
import { createDispatch } from './proxy/forward.js';
import { certificateExpiry } from './proxy/certificate-metrics.js';
import { CertificateWatch } from './proxy/certificate-watch.js';
import { createReplayWarning } from './proxy/replay-warning.js';
import { UpstreamPool } from './proxy/upstream-pool.js';
import { FileStateStore } from './state/file-store.js';
import type { StateStore } from './state/runtime-state.js';
import { STATE_FILE } from './state/state-schema.js';
import type { FigwayMiddleware, FigwayOptions } from './types.js';
import { version as packageVersion } from './version.js';
import { rolloutGauge } from './rollout/rollout-metrics.js';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { ExpressApp } from './request-record.js';
import { arrivedThrough, caseSensitiveRouting } from './server/express-request.js';
import { createServerListener, warnAboutServerMode } from './server/server-mode.js';
import { createUpgradeForwarder } from './websocket/forward-upgrade.js';
import { createUpgradeHandler, headOf } from './websocket/handle-upgrade.js';
import { dispatchUpgrades } from './websocket/upgrade-dispatcher.js';

/**
 * Creates the figway middleware: requests matching a route in the config are sent to a new service
 * (for the route's share of callers) and everything else falls through to the app's own handlers.
 *
 * @throws FigwayConfigError listing every problem (file:line:column, config path) when the config is invalid.
 *
 * @example
 * ```js
 * const express = require('express');
 * const { figway } = require('figway');
 * const app = express();
 * app.use(figway({ config: 'figway.yaml' }));
 * app.get('/api/orders', legacyOrders); // still serves every request figway leaves to legacy
 * ```
 */
export function figway(options: FigwayOptions): FigwayMiddleware {
  const logger = options.logger ?? defaultLogger();
  const diagnostics = createDiagnostics(logger);
  const registry = options.registry ?? globalRegistry;
  const runtime = { now: options.now ?? Date.now, random: options.random ?? Math.random };
  const liveStats = createLiveStats(runtime.now);
  const progressive = new ProgressiveEngine({ now: runtime.now, liveStats, diagnostics, events: progressiveEvents(registry) });
  const breakers = new CircuitBreakers(runtime.now, (route, from, to, reason) =>
    diagnostics.warnOnce('FIGWAY_FALLBACK_BREAKER_CHANGED', `figway: circuit breaker of ${route} ${from} → ${to}: ${reason}`, { route, from, to, reason }),
  );
  // Server mode's reason to exist is speed, so it forwards through undici unless the config names an engine.
  let serverMode = false;
  const dispatch = createDispatch(breakers, () => (serverMode ? 'undici' : 'http-proxy-middleware'), createReplayWarning(diagnostics));
  // The map reads the controller, made below with the map's plugin among the built-ins.
  const map = createMigrationMap({ now: runtime.now, registry, diagnostics, store: () => controller.stateStore, current: () => controller.current });
  migrationEndpointsGauge(registry, map.endpointsByState);
  const features = startFeatureRuntimes({ registry, random: runtime.random, now: runtime.now, forwarderFor: dispatch.forwarderFor });
  // Built-in capabilities are plugins like any other, switched off with `plugins: { <name>: false }`.
  const builtIn = [
    traceContextPlugin(),
    openTelemetryPlugin(),
    authPlugin({ env: options.env ?? process.env, passport: options.passport, failures: authFailures(registry), diagnostics, now: runtime.now }),
    loggingPlugin(logger),
    metricsPlugin(registry, [rolloutGauge, breakerGauge(breakers)]),
    liveStats.plugin,
    progressive.plugin,
    map.plugin,
    rateLimitPlugin({ diagnostics, now: options.now }),
  ];
  // A copy: the caller's list may change after figway() (the reload thread is given the keys of this one).
  const appPlugins = [...(options.plugins ?? [])];
  const plugins = registerPlugins([...builtIn, ...appPlugins]);
  const upstreams = new UpstreamPool({ diagnostics, certificates: new CertificateWatch(certificateExpiry(registry), diagnostics, runtime.now) });
  const controller = new Controller(options.config, { plugins, appPlugins, upstreams, runtime, env: options.env ?? process.env, diagnostics });
  const metricsHandler = createMetricsHandler(registry);
  const startup = controller.current.config;

  let admin: AdminServer | undefined;
  let stopWatching: (() => void) | undefined;
  // A file store is read at once; Redis may take a moment, and requests wait for it rather than
  // serve without the rollbacks it holds.
  const store = openFileStore(startup, controller.configFile);
  if (store) controller.useStore(store, store.loadSync());
  let starting: Promise<void> | undefined = store ? undefined : useRedisStore(controller, startup);
  starting?.then(
    () => (starting = undefined),
    () => (starting = undefined),
  );
  const live = {
    servedAtStep: (id: string) => progressive.servedAtStep(id),
    breaker: (id: string) => breakers.state(id),
    lastFailure: (id: string) => breakers.lastFailure(id),
    report: features.report,
  };
  const ready = (async () => {
    await starting;
    // Steps are taken only on the state the store holds, never on the start-up default.
    progressive.start(controller, options.checkInterval ?? 5000);
    if (startup.admin) {
      admin = await startAdminServer(startup.admin, {
        controller,
        diagnostics,
        configDir: controller.configFile ? path.dirname(controller.configFile) : process.cwd(),
        now: runtime.now,
        metrics: metricsHandler,
        liveStats,
        live,
        progressive,
        map,
        status: () => ({
          ready: starting === undefined,
          store: controller.stateStore && { description: controller.stateStore.description, healthy: controller.stateStore.healthy },
        }),
        version: packageVersion,
      });
      logger.info({ admin: admin.url }, 'figway: admin API listening');
    }
    const file = controller.configFile;
    if (file && fillReload(startup.reload).watch) stopWatching = watchConfigFile(file, () => void controller.reloadFromWatch());
  })();
  ready.catch((err: unknown) => diagnostics.warnOnce('FIGWAY_CONTROL_START_FAILED', 'figway: runtime control did not start', { err }));

  const currentSnapshot = () => controller.current;
  const stages = {
    current: currentSnapshot,
    random: runtime.random,
    forward: dispatch.forward,
    breakers,
    features,
    starting: () => starting,
    unmatched: map.unmatched,
    diagnostics,
  };
  const pipeline = createPipeline(stages);
  // Requests server mode or the upgrade dispatcher already ran through figway (they arrived through
  // this gateway): an app.use(gateway) still in the app lets them pass rather than identify, count
  // and decide them a second time. Only once wrap() or upgrade() is used can a request arrive that
  // way: until then the app's every request skips the lookup.
  let handlesOutsideStack = false;
  const middleware = function figway(req: IncomingMessage, res: ServerResponse, next: (err?: unknown) => void) {
    if (handlesOutsideStack && arrivedThrough(req, middleware)) return next();
    pipeline(req, res, next);
  } as FigwayMiddleware;
  // The app whose trust proxy requests outside its stack (server mode, upgrades) follow.
  let app: ExpressApp | undefined;
  const upgrades = createPipeline({ ...stages, forward: createUpgradeForwarder(headOf), features: NO_RUNNING_FEATURES, unmatched: () => {} });
  const handleUpgrade = createUpgradeHandler(upgrades, () => app, middleware);
  const upgradeServers = new WeakSet<Server>();
  Object.defineProperties(middleware, {
    current: { get: currentSnapshot },
    ready: { value: ready },
    adminUrl: { get: () => admin?.url },
    attach: {
      value: (target: object) => {
        controller.followApp({ caseSensitive: caseSensitiveRouting(target as ExpressApp) });
        attachBodyKeeper(target, currentSnapshot);
        map.useApp(target);
        app ??= target as ExpressApp;
      },
    },
    wrap: {
      value: (target: ExpressApp) => {
        controller.followApp({ caseSensitive: caseSensitiveRouting(target) });
        app = target;
        map.useApp(target);
        handlesOutsideStack = true;
        serverMode = true;
        warnAboutServerMode(controller.current.config, diagnostics);
        return createServerListener(pipeline, target, middleware);
      },
    },
    upgrade: {
      value: (server: Server) => {
        if (upgradeServers.has(server)) return;
        upgradeServers.add(server);
        handlesOutsideStack = true;
        dispatchUpgrades(server, handleUpgrade);
      },
    },
    reload: { value: async (config?: string | FigwayConfig) => void (await controller.reload(config)) },
    metricsHandler: { value: metricsHandler },
    close: {
      value: async () => {
        stopWatching?.();
        await progressive.stop();
        await admin?.close();
        await map.close();
        await controller.close();
        upstreams.close();
        for (const plugin of plugins) await plugin.close?.();
      },
    },
    // Express treats a function with `handle` and `set` as a sub-application and tells it, with a
    // 'mount' event, which app it was mounted on. That is how `app.use(figway(...))` gets in front
    // of the app's body parsers without a second line; requests reach `handle`, the same function.
    handle: { value: middleware },
    set: { value: () => middleware },
    emit: {
      value: (event: string, parent: object) => {
        if (event !== 'mount') return true;
        middleware.attach(parent);
        map.mountedOn(parent);
        return true;
      },
    },
  });
  return middleware;
}

/** The file store, unless the config asks for Redis: `state.path`, else STATE_FILE, beside the config file. */
function openFileStore(config: FigwayConfig, configFile: string | undefined): FileStateStore | undefined {
  if (config.state?.store === 'redis') return undefined;
  const base = configFile ? path.dirname(configFile) : process.cwd();
  return new FileStateStore(path.resolve(base, config.state?.path ?? STATE_FILE));
}

async function useRedisStore(controller: Controller, config: FigwayConfig): Promise<void> {
  const settings = config.state as NonNullable<FigwayConfig['state']>;
  // Loaded only when asked for: apps on the file store never load a Redis client.
  const { RedisStateStore } = await import('./state/redis-store.js');
  const store: StateStore = new RedisStateStore({ url: settings.url as string, prefix: settings.prefix, cacheFile: settings.cacheFile });
  controller.useStore(store, await store.load());
}
