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
import type { FigwayMiddleware, FigwayOptions } from './types.js';

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
  const plugins = registerPlugins(options.plugins ?? []);
  const env = options.env ?? process.env;
  const upstreams = new UpstreamPool();
  let source: string | FigwayConfig = options.config;
  let version = 1;
  let snapshot: Snapshot = compileSnapshot(loadConfig(source, env), { plugins, upstreams, version });

  const currentSnapshot = () => snapshot;
  const middleware = createPipeline({ current: currentSnapshot, random: options.random ?? Math.random, forward: createForwarder() }) as FigwayMiddleware;
  Object.defineProperties(middleware, {
    current: { get: currentSnapshot },
    attach: { value: (app: object) => attachBodyKeeper(app, currentSnapshot) },
    reload: {
      value: (config: string | FigwayConfig = source) => {
        const next = compileSnapshot(loadConfig(config, env), { plugins, upstreams, version: version + 1 });
        version += 1;
        source = config;
        snapshot = next;
        upstreams.retainOnly(new Set(next.routes.map((route) => route.upstream)));
      },
    },
    close: { value: async () => upstreams.close() },
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
