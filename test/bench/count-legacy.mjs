// What map.countLegacy costs a request figway matched no route for: the finish listener it adds, and
// counting the request by the Express route that served it (window slot and Prometheus series), in this process.
import { EventEmitter } from 'node:events';
import { performance } from 'node:perf_hooks';
import express from 'express';
import { Registry } from 'prom-client';
import { createMigrationMap } from '../../dist/map/migration-map.js';
import { median } from './compare.mjs';

const quiet = { logger: { info() {} }, warnOnce() {}, reportError() {} };

/** @returns {Promise<{ nsPerRequest: number }>} the median over `samples` of a batch with counting on less the same batch with it off */
export async function benchCountLegacy({ samples = 15, batch = 200_000 } = {}) {
  // A monolith of 50 routes; each request is one Express served with its route's handler.
  const app = express();
  for (let i = 0; i < 50; i++) app.get(`/area-${i}/items/:id`, () => {});
  const route = app.router.stack.find((layer) => layer.route?.path === '/area-7/items/:id').route;
  const registry = new Registry();
  const map = createMigrationMap({ now: Date.now, registry, diagnostics: quiet, store: () => undefined, current: () => undefined });
  map.useApp(app);
  // A config's settings are taken once it serves: setup, then the event that says it does.
  const counting = (countLegacy) => {
    map.plugin.setup({ sections: { map: { countLegacy } }, options: {}, routes: [], config: { routes: [] }, now: Date.now, random: Math.random, problem() {} });
    map.plugin.onConfig({ kind: 'reloaded', version: 1, routes: [] });
  };
  const batchNs = () => {
    const started = performance.now();
    for (let i = 0; i < batch; i++) {
      // A response as the pipeline sees one: the listener is added before next(), finish comes after the handler.
      const res = new EventEmitter();
      res.req = { route, method: 'GET' };
      map.unmatched(res);
      res.emit('finish');
    }
    return ((performance.now() - started) * 1e6) / batch;
  };
  const differences = [];
  for (let s = 0; s < samples + 3; s++) {
    counting(false);
    const off = batchNs();
    counting(true);
    const on = batchNs();
    // The first three pairs warm the code up.
    if (s >= 3) differences.push(on - off);
  }
  await map.close();
  // Counting on must have counted: a figure from a bench that measured nothing would pass any target.
  const counted = Number(/figway_monolith_requests_total\{[^}]*\} (\d+)/.exec(await registry.metrics())?.[1] ?? 0);
  if (counted < batch) throw new Error(`map.countLegacy counted ${counted} requests, expected at least ${batch}`);
  return { nsPerRequest: median(differences) };
}
