// The Grafana dashboard against real data: a real Prometheus scrapes the example app's admin
// /metrics (with a token) under a little traffic, healthy and then with the orders service dead,
// and every panel's expression is evaluated through Prometheus's HTTP API.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const START = fileURLToPath(new URL('../../example-app/start.cjs', import.meta.url));
const TOKEN = 'dashboard-test-admin-token-0123';
const dashboard = JSON.parse(readFileSync(fileURLToPath(new URL('../../recipes/grafana/figway-dashboard.json', import.meta.url)), 'utf8')) as {
  panels: { title: string; targets: { expr: string }[] }[];
};
// Grafana's variables as a dashboard user would have them: every route, a rate window of a few scrapes.
const asQuery = (expr: string) => expr.replaceAll('$__rate_interval', '20s').replaceAll('$route', '.*');

describe('the Grafana dashboard on the example app, with a real Prometheus', { timeout: 120_000 }, () => {
  let orders: Upstream;
  let example: ChildProcess;
  let prometheus: PrometheusServer;
  let base = '';
  const stateDir = mkdtempSync(path.join(tmpdir(), 'figway-dashboard-'));
  const panel = (title: string) => dashboard.panels.find((p) => p.title === title)?.targets.map((t) => asQuery(t.expr)) ?? [];
  /** Staff always go to the orders service; the others are split by x-user-id. */
  const traffic = async (count: number) => {
    for (let i = 0; i < count; i++) {
      await request(base, '/api/orders', { headers: i % 2 === 0 ? { 'x-staff': 'yes' } : { 'x-user-id': `user-${i}` } });
      await request(base, `/api/users/${i}`);
    }
  };

  beforeAll(async () => {
    orders = await startUpstream('orders-service');
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', USERS_PORT: '0', CART_PORT: '0', CATALOG_PORT: '0', ADMIN_PORT: '0', ORDERS_URL: orders.url, FIGWAY_ADMIN_TOKEN: TOKEN, FIGWAY_STATE_FILE: path.join(stateDir, 'state.json') };
    example = spawn(process.execPath, [START], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let output = '';
    const admin = await new Promise<string>((resolve, reject) => {
      example.stdout?.on('data', (data: Buffer) => {
        output += data.toString();
        const found = /monolith \(legacy \+ figway\)\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        const adminLine = /admin API\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (found && adminLine && output.includes('Stop with Ctrl-C')) {
          base = found[1] as string;
          resolve(adminLine[1] as string);
        }
      });
      example.once('exit', (code) => reject(new Error(`example exited with ${code}: ${output}`)));
    });
    prometheus = await startPrometheus(new URL(admin).host, '/metrics', TOKEN);
  });
  afterAll(async () => {
    prometheus?.stop();
    // It writes what it counted for the migration map on the way out: the folder goes once it has.
    const exited = example && example.exitCode === null ? new Promise((resolve) => example.once('exit', resolve)) : undefined;
    example?.kill('SIGTERM');
    await exited;
    await orders?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('answers every panel but the failure ones on a healthy migration, with 0 failures shown rather than no data', async () => {
    await traffic(20);
    await expect.poll(async () => (await prometheus.samples(panel('Rate: service vs legacy')[0] as string)).length, { timeout: 30_000, interval: 1000 }).toBeGreaterThanOrEqual(2);
    await traffic(20);
    await new Promise((resolve) => setTimeout(resolve, 2500));
    const failureOnly = new Set(['Upstream errors by code']);
    for (const { title, targets } of dashboard.panels) {
      if (failureOnly.has(title)) continue;
      for (const { expr } of targets) expect((await prometheus.samples(asQuery(expr))).length, `${title}: ${expr}`).toBeGreaterThan(0);
    }
    const errors = await prometheus.samples(panel('Errors (5xx share): service vs legacy')[0] as string);
    expect(errors.map((s) => [s.labels.target, s.value]).sort()).toEqual([
      ['legacy', 0],
      ['service', 0],
    ]);
    expect(await prometheus.query(panel('Circuit breakers (0 closed, 1 half-open, 2 open)')[0] as string)).toBe(0);
  });

  it('shows a dead service in the upstream errors and the breaker, though fallback keeps clients served', async () => {
    await orders.close();
    await traffic(20);
    await expect
      .poll(async () => (await prometheus.samples(panel('Upstream errors by code')[0] as string)).map((s) => `${s.labels.route} ${s.labels.code}`), { timeout: 30_000, interval: 1000 })
      .toContain('orders FIGWAY_UPSTREAM_UNAVAILABLE');
    await expect.poll(() => prometheus.query(panel('Circuit breakers (0 closed, 1 half-open, 2 open)')[0] as string), { timeout: 15_000, interval: 1000 }).toBe(2);
    for (const { title, targets } of dashboard.panels) {
      for (const { expr } of targets) expect((await prometheus.samples(asQuery(expr))).length, `${title}: ${expr}`).toBeGreaterThan(0);
    }
  });
});
