// compileSnapshot and restateSnapshot: a runtime change compiles again only the routes it touches,
// and what it builds is what a whole compile with that state would build.
import pino from 'pino';
import { Gauge, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { compileSnapshot, restateSnapshot, type CompileDeps } from '../../src/snapshot/compile-snapshot.js';
import { loadConfig } from '../../src/config/load-config.js';
import { createDiagnostics } from '../../src/diagnostics.js';
import type { FigwayConfig } from '../../src/config/schema.js';
import { CertificateWatch } from '../../src/proxy/certificate-watch.js';
import { UpstreamPool } from '../../src/proxy/upstream-pool.js';
import type { Snapshot } from '../../src/snapshot/snapshot.js';
import { EMPTY_STATE, type RuntimeState } from '../../src/state/runtime-state.js';

const diagnostics = createDiagnostics(pino({ level: 'silent' }));
const NOW = 1_700_000_000_000;

function config(routes: number): FigwayConfig {
  return {
    upstreams: { svc: { url: 'http://127.0.0.1:9' } },
    cohorts: { staff: { header: { 'x-staff': '1' } } },
    routes: [
      { id: 'stepped', match: { path: '/api/stepped' }, upstream: 'svc', rollout: { steps: [1, 10, 100] } },
      ...Array.from({ length: routes }, (_, i) => ({ id: `r${i}`, match: { path: `/api/r${i}`, methods: ['GET'] }, upstream: 'svc', rollout: { percent: 10 } })),
    ],
  } as FigwayConfig;
}

function compile(routes: number, state: RuntimeState = EMPTY_STATE): Snapshot {
  const deps: CompileDeps = {
    plugins: [],
    upstreams: new UpstreamPool({ diagnostics, certificates: new CertificateWatch(new Gauge({ name: 'expiry', help: 'x', labelNames: ['upstream'], registers: [new Registry()] }), diagnostics, () => NOW) }),
    runtime: { now: () => NOW, random: () => 0.5 },
    version: 1,
    state,
  };
  return compileSnapshot(loadConfig(config(routes), {}), deps);
}

function state(change: Partial<RuntimeState>): RuntimeState {
  return { ...EMPTY_STATE, revision: 1, ...change };
}

/** What a request sees of each route: everything but the objects that hold no state. */
function served(snapshot: Snapshot) {
  return {
    routes: snapshot.routes.map((route) => ({ info: route.info, rollout: route.rollout, progressive: route.progressive, mayProxy: route.mayProxy })),
    ignored: snapshot.ignoredOverrides,
    mayProxy: snapshot.mayProxy,
  };
}

const request = { method: 'GET', headers: {} } as never;

describe('restateSnapshot', () => {
  const before = compile(1000);

  it('compiles again only the route a rollout change touches (and progressive ones), keeping the table', () => {
    const next = restateSnapshot(before, state({ routes: { r500: { percent: 75 } } }), 2, NOW);
    const changed = next.routes.filter((route, index) => route !== before.routes[index]).map((route) => route.id);
    expect(changed).toEqual(['stepped', 'r500']);
    expect(next.table.find(request, '/api/r500')?.rollout.percent).toBe(75);
    expect(next.table.find(request, '/api/r500')?.info.override).toEqual({ percent: 75 });
    expect(next.table.find(request, '/api/r499')).toBe(before.routes[500]);
    expect(before.table.find(request, '/api/r500')?.rollout.percent).toBe(10);
    expect(next.version).toBe(2);
  });

  it('builds what a whole compile with the same state builds', () => {
    const changes: Partial<RuntimeState>[] = [
      { routes: { r3: { percent: 0 }, r7: { cohorts: { staff: 'service' as const } } } },
      { killSwitch: true },
      { routes: { r5: { cohorts: { nobody: 'service' as const } } } },
      { progressive: { stepped: { steps: [1, 10, 100], step: 1, state: 'running' as const, since: NOW - 60_000 } } },
    ];
    for (const change of changes) {
      const next = state(change);
      expect(served(restateSnapshot(before, next, 2, NOW))).toEqual(served(compile(1000, next)));
    }
  });

  it('turns every route to legacy with the kill switch, and back', () => {
    const killed = restateSnapshot(before, state({ killSwitch: true }), 2, NOW);
    expect(killed.routes.every((route) => route.rollout.killed && route.info.killed && !route.mayProxy)).toBe(true);
    expect(killed.mayProxy).toBe(false);
    const back = restateSnapshot(killed, state({ revision: 2, killSwitch: false }), 3, NOW);
    expect(served(back)).toEqual(served(before));
  });

  it('keeps an override that no longer fits ignored across later changes to other routes', () => {
    const misfit = restateSnapshot(before, state({ routes: { r5: { cohorts: { nobody: 'service' } } } }), 2, NOW);
    expect(misfit.ignoredOverrides.map((entry) => entry.route)).toEqual(['r5']);
    expect(misfit.routes[6]?.info.override).toBeUndefined();
    const later = restateSnapshot(misfit, state({ revision: 2, routes: { r5: { cohorts: { nobody: 'service' } }, r9: { percent: 50 } } }), 3, NOW);
    expect(later.ignoredOverrides.map((entry) => entry.route)).toEqual(['r5']);
    expect(later.table.find(request, '/api/r9')?.rollout.percent).toBe(50);
  });
});
