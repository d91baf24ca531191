// A failing service is visible wherever its failure is absorbed: legacy serving through fallback
// still counts the upstream error, the breaker has a gauge and a log line on every move, the strangled
// share counts who served, and GET /routes, figway status and the metrics agree.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.js';
import { GATEWAY_SETUPS, startMonolith, type Monolith } from '../helpers/monolith.js';
import { series } from '../helpers/prometheus-text.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

describe.each(GATEWAY_SETUPS)('failures absorbed by fallback are visible ($label)', ({ mode, engine }) => {
  let monolith: Monolith;
  let flaky: Upstream;
  let logs: CapturedLogs;
  let dir: string;
  let clock = 1_700_000_000_000;
  const registry = new Registry();
  const admin = async (path: string) => (await request(monolith.gateway.adminUrl as string, path)).json<Record<string, unknown>>();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-failures-'));
    flaky = await startUpstream('flaky', (_req, res) => res.writeHead(503).end('busy'));
    logs = captureLogs();
    monolith = await startMonolith(
      express,
      {
        logger: logs.logger,
        registry,
        now: () => clock,
        plugins: [
          {
            name: 'stamp',
            setup: () => ({
              onProxyRequest: (proxyReq) => {
                if (proxyReq.getHeader('x-stamp') === 'bug') throw new Error('plugin bug');
              },
            }),
          },
        ],
        config: {
          admin: { port: 0 },
          state: { store: 'file', path: path.join(dir, 'state.json') },
          routes: [
            { id: 'orders', match: { path: '/api/orders' }, upstream: 'http://127.0.0.1:1', fallback: { breaker: { failures: 5, cooldown: '1m' } } },
            { id: 'flaky', match: { path: '/api/flaky' }, upstream: flaky.url, fallback: { on: [503], breaker: false } },
          ],
        },
      },
      { mode, engine },
    );
    await monolith.gateway.ready;
  });
  afterAll(async () => {
    await monolith.close();
    await flaky.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('counts every upstream failure legacy absorbed, opens the breaker with a log line, and the share counts legacy as the server', async () => {
    for (let i = 0; i < 8; i++) expect((await request(monolith.url, '/api/orders')).json()).toMatchObject({ service: 'legacy' });
    await request(monolith.url, '/api/flaky');
    const text = await registry.metrics();
    expect(series(text, 'figway_requests_total', { route: 'orders', target: 'fallback', method: 'GET', status_class: '2xx' })).toBe(5);
    expect(series(text, 'figway_upstream_errors_total', { route: 'orders', upstream: '127.0.0.1:1', code: 'FIGWAY_UPSTREAM_UNAVAILABLE' })).toBe(5);
    expect(series(text, 'figway_upstream_errors_total', { route: 'flaky', upstream: new URL(flaky.url).host, code: 'HTTP_503' })).toBe(1);
    expect(series(text, 'figway_circuit_breaker_state', { route: 'orders' })).toBe(2);
    expect(series(text, 'figway_circuit_breaker_state', { route: 'flaky' }), 'no breaker, no series').toBeUndefined();
    expect(series(text, 'figway_strangled_ratio', { route: 'orders' })).toBe(0);
    expect(text).not.toMatch(/^figway_strangled_ratio \d/m);
    expect(logs.lines.filter((line) => String(line.msg).startsWith('figway: circuit breaker of orders'))).toEqual([
      expect.objectContaining({ level: 40, code: 'FIGWAY_FALLBACK_BREAKER_CHANGED', from: 'closed', to: 'open', reason: expect.stringContaining('5 failures in a row (last: FIGWAY_UPSTREAM_UNAVAILABLE)') }),
    ]);
  });

  it('shows the breaker and the last upstream error in GET /routes and figway status', async () => {
    expect(await admin('/routes/orders')).toMatchObject({ breaker: 'open', lastUpstreamError: { code: 'FIGWAY_UPSTREAM_UNAVAILABLE', message: expect.stringContaining('ECONNREFUSED') } });
    expect(await admin('/routes/flaky')).toMatchObject({ breaker: null, lastUpstreamError: { code: 'HTTP_503' } });
    const status = await runCli(['--admin', monolith.gateway.adminUrl as string, 'status']);
    const row = status.stdout.split('\n').find((line) => line.startsWith('orders'));
    expect(row).toMatch(/\bopen\s+FIGWAY_UPSTREAM_UNAVAILABLE at \d{4}-/);
  });

  it('logs the breaker going half-open after the cool-down and open again when the probe fails', async () => {
    clock += 61_000;
    await request(monolith.url, '/api/orders');
    const moves = logs.lines.filter((line) => String(line.msg).startsWith('figway: circuit breaker of orders')).map((line) => `${String(line.from)} → ${String(line.to)}`);
    expect(moves).toEqual(['closed → open', 'open → half-open', 'half-open → open']);
    expect(series(await registry.metrics(), 'figway_circuit_breaker_state', { route: 'orders' })).toBe(2);
  });

  it("counts a plugin's failure as figway's, not the service's: no upstream error, no breaker", async () => {
    const before = await admin('/routes/flaky');
    const reply = await request(monolith.url, '/api/flaky', { headers: { 'x-stamp': 'bug' } });
    // Named, in both engines: the plugin's author learns which hook of theirs threw.
    expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_PLUGIN_FAILED', message: 'plugin "stamp" failed: plugin bug' } });
    expect((await registry.metrics()).includes('code="FIGWAY_PLUGIN_FAILED"')).toBe(false);
    expect((await admin('/routes/flaky')).lastUpstreamError).toEqual(before.lastUpstreamError);
  });

  it('drops the breaker series of a route rolled back to 0%: no probe would ever move it', async () => {
    const rollback = await request(monolith.gateway.adminUrl as string, '/routes/orders/rollback', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(rollback.status).toBe(200);
    expect(series(await registry.metrics(), 'figway_circuit_breaker_state', { route: 'orders' })).toBeUndefined();
  });
});
