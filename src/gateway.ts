// figway(options): load the config, build the pipeline, return the one-line middleware.
import { compileSnapshot } from './config/compile-snapshot.js';
import { loadConfig } from './config/load-config.js';
import type { FigwayConfig } from './config/schema.js';
import { createPipeline } from './pipeline.js';
import { registerPlugins } from './plugins/register-plugins.js';
import { attachBodyKeeper } from './proxy/attach-body-keeper.js';
import { createForwarder } from './proxy/forward.js';
import { UpstreamPool } from './proxy/upstream-pool.js';
import type { Snapshot } from './snapshot.js';
import type { AnyFigwayPlugin, ConfigEvent, FigwayMiddleware, FigwayOptions } from './types.js';
import { FigwayError } from './errors.js';
import { loggingPlugin } from './observe/logging.js';
import { createMetricsHandler } from './observe/metrics-handler.js';
import { metricsPlugin } from './observe/metrics.js';
import { traceContextPlugin } from './observe/trace-context.js';
import { register as globalRegistry } from 'prom-client';

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
  const registry = options.registry ?? globalRegistry;
  // Built-in capabilities are plugins like any other, switched off with `plugins: { <name>: false }`.
  const builtIn = [traceContextPlugin(), loggingPlugin(options.logger), metricsPlugin(registry)];
  const plugins = registerPlugins([...builtIn, ...(options.plugins ?? [])]);
  const env = options.env ?? process.env;
  const runtime = { now: options.now ?? Date.now, random: options.random ?? Math.random };
  const upstreams = new UpstreamPool();
  let source: string | FigwayConfig = options.config;
  let version = 1;
  let snapshot: Snapshot = compileSnapshot(loadConfig(source, env), { plugins, upstreams, version, runtime });
  announce(plugins, { kind: 'loaded', version, routes: snapshot.routes.map((route) => route.info) });

  const currentSnapshot = () => snapshot;
  const middleware = createPipeline({ current: currentSnapshot, random: runtime.random, forward: createForwarder() }) as FigwayMiddleware;
  Object.defineProperties(middleware, {
    current: { get: currentSnapshot },
    attach: { value: (app: object) => attachBodyKeeper(app, currentSnapshot) },
    reload: {
      value: (config: string | FigwayConfig = source) => {
        let next: Snapshot;
        try {
          next = compileSnapshot(loadConfig(config, env), { plugins, upstreams, version: version + 1, runtime });
        } catch (err) {
          if (err instanceof FigwayError) announce(plugins, { kind: 'rejected', error: err });
          throw err;
        }
        version += 1;
        source = config;
        snapshot = next;
        upstreams.retainOnly(new Set(next.routes.map((route) => route.upstream)));
        announce(plugins, { kind: 'reloaded', version, routes: next.routes.map((route) => route.info) });
      },
    },
    metricsHandler: { value: createMetricsHandler(registry) },
    close: {
      value: async () => {
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
        if (event === 'mount') middleware.attach(parent);
        return true;
      },
    },
  });
  return middleware;
}

function announce(plugins: readonly AnyFigwayPlugin[], event: ConfigEvent): void {
  for (const plugin of plugins) plugin.onConfig?.(event);
}
