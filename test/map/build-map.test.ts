// The map from its parts, and the states alone (the metric's count, made a step of endpoints per turn).
import express from 'express';
import pino from 'pino';
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.js';
import type { FigwayConfig } from '../../src/config/schema.js';
import { createDiagnostics } from '../../src/diagnostics.js';
import { buildMap, countEndpointStates, type JudgeParts } from '../../src/map/build-map.js';
import { historyKey } from '../../src/map/history-key.js';
import { readExpressRoutes } from '../../src/map/read-express-routes.js';
import { CertificateWatch } from '../../src/proxy/certificate-watch.js';
import { UpstreamPool } from '../../src/proxy/upstream-pool.js';
import { compileSnapshot } from '../../src/snapshot/compile-snapshot.js';
import { EMPTY_STATE } from '../../src/state/runtime-state.js';

const DAY = 86_400_000;
const NOW = Date.parse('2026-11-20T12:00:00Z');
const LEGACY_ONLY = 247;

function parts(): JudgeParts {
  const diagnostics = createDiagnostics(pino({ level: 'silent' }));
  const config = {
    upstreams: { svc: { url: 'http://127.0.0.1:9' } },
    routes: [
      { id: 'cart', match: { path: '/api/cart' }, upstream: 'svc', rollout: { percent: 100 } },
      { id: 'orders', match: { path: '/api/orders' }, upstream: 'svc', rollout: { percent: 100 } },
      { id: 'users', match: { path: '/api/users' }, upstream: 'svc', rollout: { percent: 40 } },
    ],
  } as FigwayConfig;
  const snapshot = compileSnapshot(loadConfig(config, {}), {
    plugins: [],
    upstreams: new UpstreamPool({ diagnostics, certificates: new CertificateWatch(new Gauge({ name: 'expiry', help: 'x', labelNames: ['upstream'], registers: [new Registry()] }), diagnostics, () => NOW) }),
    runtime: { now: () => NOW, random: () => 0.5 },
    version: 1,
    state: EMPTY_STATE,
  });
  const app = express();
  const handler = (_req: express.Request, res: express.Response) => void res.end();
  app.get('/api/cart', handler);
  app.get('/api/orders/:id', handler);
  app.get('/api/users', handler);
  for (let i = 0; i < LEGACY_ONLY; i++) app.get(`/pages/p${i}`, handler);
  const [cart, orders] = snapshot.routes;
  const history = { full: { [historyKey(cart!.info)]: NOW - 20 * DAY, [historyKey(orders!.info)]: NOW - 2 * DAY }, legacy: {} };
  return { snapshot, app: readExpressRoutes(app), history, counted: () => true, now: NOW, retireAfterMs: 14 * DAY };
}

describe('the map from its parts', () => {
  it('counts the states the map shows', async () => {
    const judged = parts();
    const map = buildMap({ ...judged, routeCounts: new Map(), endpointServed: undefined, windowMs: DAY });
    const states = { 'legacy-only': LEGACY_ONLY, 'rolling-out': 1, 'at-100': 1, 'ready-to-retire': 1 };
    expect(map.areas.find((area) => area.area === '*')?.endpoints).toEqual(states);
    expect(map.endpoints.filter((endpoint) => endpoint.route !== undefined).map(({ path, state }) => [path, state])).toEqual([
      ['/api/cart', 'ready-to-retire'],
      ['/api/orders/:id', 'at-100'],
      ['/api/users', 'rolling-out'],
    ]);
    expect(await countEndpointStates(judged)).toEqual(states);
  });

  it('counts the states 100 endpoints a turn, so a large monolith never holds requests up for long', async () => {
    let turns = 0;
    let counting = true;
    const tick = () => {
      turns += 1;
      if (counting) setImmediate(tick);
    };
    setImmediate(tick);
    await countEndpointStates(parts());
    counting = false;
    // 250 endpoints: three steps, a turn between each.
    expect(turns).toBeGreaterThanOrEqual(2);
  });
});
