// A reload of a 10,000-route table while 300 requests/s flow: how long it takes, and what the
// requests meanwhile waited (test/helpers/reload-under-load.mjs, the same measurement the tests make).
import { performance } from 'node:perf_hooks';
import pino from 'pino';
import { Gauge, Registry } from 'prom-client';
import { compileSnapshot, restateSnapshot } from '../../dist/snapshot/compile-snapshot.js';
import { loadConfig } from '../../dist/config/load-config.js';
import { createDiagnostics } from '../../dist/diagnostics.js';
import { CertificateWatch } from '../../dist/proxy/certificate-watch.js';
import { UpstreamPool } from '../../dist/proxy/upstream-pool.js';
import { EMPTY_STATE } from '../../dist/state/runtime-state.js';
import { measureReloadUnderLoad } from '../helpers/reload-under-load.mjs';
import { median, start } from './compare.mjs';

/** @returns {Promise<object>} reload time, and p50/p99/worst latency before and during it */
export async function benchReload({ routes = 10_000, rate = 300 } = {}) {
  const upstream = await start('upstream');
  try {
    const result = await measureReloadUnderLoad({ routes, rate, service: upstream.url });
    if (result.status !== 200 || result.failures.length > 0) throw new Error(`the reload under load failed: ${result.status}, ${result.failures.slice(0, 3).join('; ')}`);
    return { routes, rate, ...result };
  } finally {
    upstream.child.kill();
  }
}

/**
 * What a runtime change costs the event loop at this many routes (in process, median of `samples`):
 * one route's rollout, the kill switch (every route), and a whole compile for comparison.
 *
 * @returns {{ routes: number, oneRouteMs: number, killSwitchMs: number, wholeCompileMs: number }}
 */
export function benchRuntimeChange({ routes = 10_000, samples = 31 } = {}) {
  const diagnostics = createDiagnostics(pino({ level: 'silent' }));
  const certificates = new CertificateWatch(new Gauge({ name: 'bench_expiry', help: 'x', labelNames: ['upstream'], registers: [new Registry()] }), diagnostics, Date.now);
  const config = {
    upstreams: { orders: { url: 'http://127.0.0.1:9' } },
    routes: Array.from({ length: routes }, (_, i) => ({ id: `svc-${i}`, match: { path: `/api/svc-${i}/items`, methods: ['GET', 'POST'] }, upstream: 'orders', rollout: { percent: 50 } })),
  };
  const loaded = loadConfig(config, {});
  const deps = { plugins: [], upstreams: new UpstreamPool({ diagnostics, certificates }), runtime: { now: Date.now, random: Math.random }, version: 1, state: EMPTY_STATE };
  let snapshot = compileSnapshot(loaded, deps);
  const time = (change) => {
    const ms = [];
    for (let i = 0; i < samples; i++) {
      const began = performance.now();
      snapshot = change(i, snapshot.state.revision + 1);
      ms.push(performance.now() - began);
    }
    return median(ms);
  };
  return {
    routes,
    oneRouteMs: time((i, revision) => restateSnapshot(snapshot, { ...snapshot.state, revision, routes: { [`svc-${i}`]: { percent: i } } }, revision, Date.now())),
    killSwitchMs: time((i, revision) => restateSnapshot(snapshot, { ...snapshot.state, revision, killSwitch: i % 2 === 0 }, revision, Date.now())),
    wholeCompileMs: time(() => compileSnapshot(loaded, deps)),
  };
}
