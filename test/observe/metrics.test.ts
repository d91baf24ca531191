// Prometheus metrics: RED per route and side, gateway vs upstream time, progress, bounded series.
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figway } from '../../src/index.js';
import { GATEWAY_SETUPS, quietLogger, startMonolith, type Monolith } from '../helpers/monolith.js';
import { series } from '../helpers/prometheus-text.js';
import { promtool } from '../helpers/promtool.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const seriesCount = (text: string) => text.split('\n').filter((line) => line.startsWith('figway_')).length;

describe.each(GATEWAY_SETUPS)('metrics ($label)', ({ mode, engine }) => {
  let service: Upstream;
  let monolith: Monolith;
  let clock = 1_000_000;
  const registry = new Registry();
  const routes = (url: string, ordersPercent = 50) => [
    { id: 'orders', match: { path: '/api/orders' }, upstream: url, rollout: { percent: ordersPercent, sticky: ['header:x-user-id'] } },
    { id: 'broken', match: { path: '/api/broken' }, upstream: 'http://127.0.0.1:1' },
    { id: 'legacy-only', match: { path: '/api/legacy' }, upstream: url, rollout: { percent: 0 } },
  ];
  const metrics = async () => (await request(monolith.url, '/metrics')).body;

  beforeAll(async () => {
    service = await startUpstream('orders');
    monolith = await startMonolith(
      express,
      { registry, now: () => clock, config: { plugins: { metrics: { strangledWindow: '1m' } }, routes: routes(service.url) } },
      { mode, engine, after: (app, gateway) => app.get('/metrics', gateway.metricsHandler) },
    );
    for (const user of ['alice', 'bob', 'carol', 'dave']) await request(monolith.url, '/api/orders', { headers: { 'x-user-id': user } });
    await request(monolith.url, '/api/broken');
    await request(monolith.url, '/api/legacy', { method: 'POST' });
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
  });

  it('counts requests by route, side, method and status class', async () => {
    const text = await metrics();
    // alice and carol land on the service at 50%; bob and dave on legacy (buckets 1609, 7982, 2950, 9089).
    expect(series(text, 'figway_requests_total', { route: 'orders', target: 'service', method: 'GET', status_class: '2xx' })).toBe(2);
    expect(series(text, 'figway_requests_total', { route: 'orders', target: 'legacy', method: 'GET', status_class: '2xx' })).toBe(2);
    expect(series(text, 'figway_requests_total', { route: 'broken', target: 'service', method: 'GET', status_class: '5xx' })).toBe(1);
    expect(series(text, 'figway_requests_total', { route: 'legacy-only', target: 'legacy', method: 'POST', status_class: '2xx' })).toBe(1);
  });

  it('times whole requests per side and the upstream part separately', async () => {
    const text = await metrics();
    expect(series(text, 'figway_request_duration_seconds_count', { route: 'orders', target: 'service' })).toBe(2);
    expect(series(text, 'figway_request_duration_seconds_count', { route: 'orders', target: 'legacy' })).toBe(2);
    const upstream = new URL(service.url).host;
    expect(series(text, 'figway_upstream_duration_seconds_count', { route: 'orders', upstream })).toBe(2);
    const total = series(text, 'figway_request_duration_seconds_sum', { route: 'orders', target: 'service' }) as number;
    const upstreamSum = series(text, 'figway_upstream_duration_seconds_sum', { route: 'orders', upstream }) as number;
    expect(upstreamSum).toBeGreaterThan(0);
    expect(upstreamSum).toBeLessThanOrEqual(total);
  });

  it('counts upstream errors by code', async () => {
    expect(series(await metrics(), 'figway_upstream_errors_total', { route: 'broken', upstream: '127.0.0.1:1', code: 'FIGWAY_UPSTREAM_UNAVAILABLE' })).toBe(1);
  });

  it('reports each route\'s rollout percent and the strangled share, per route only (one label set, so sums add up)', async () => {
    const text = await metrics();
    expect(series(text, 'figway_rollout_percent', { route: 'orders' })).toBe(50);
    expect(series(text, 'figway_rollout_percent', { route: 'legacy-only' })).toBe(0);
    expect(series(text, 'figway_strangled_ratio', { route: 'orders' })).toBe(0.5);
    expect(series(text, 'figway_strangled_ratio', { route: 'legacy-only' })).toBe(0);
    expect(series(text, 'figway_strangled_ratio', { route: 'broken' })).toBe(1);
    expect(series(text, 'figway_strangled_ratio')).toBeUndefined();
  });

  it('computes the strangled share over its window only', async () => {
    clock += 61_000;
    expect(series(await metrics(), 'figway_strangled_ratio', { route: 'orders' })).toBeUndefined();
    await request(monolith.url, '/api/orders', { headers: { 'x-user-id': 'alice' } });
    expect(series(await metrics(), 'figway_strangled_ratio', { route: 'orders' })).toBe(1);
  });

  it('keeps the number of series bounded by the config, whatever the traffic', async () => {
    const before = seriesCount(await metrics());
    for (let i = 0; i < 300; i++) await request(monolith.url, `/random/${Math.random().toString(36).slice(2)}?q=${i}`);
    for (const method of ['PROPFIND', 'MKCOL']) await request(monolith.url, '/api/orders/x', { method, headers: { 'x-user-id': 'bob' } });
    const text = await metrics();
    expect(text).not.toContain('/random/');
    expect(series(text, 'figway_requests_total', { route: 'orders', target: 'legacy', method: 'OTHER', status_class: '2xx' })).toBe(2);
    expect(seriesCount(text)).toBeLessThanOrEqual(before + 1 + 16);
  });

  it('counts reloads by result, follows the new percent, and forgets removed routes', async () => {
    await monolith.gateway.reload({ routes: routes(service.url, 75).filter((route) => route.id !== 'broken') });
    await expect(monolith.gateway.reload({ routes: [{ id: 'bad', match: { path: 'x' }, upstream: service.url }] })).rejects.toThrow();
    await new Promise((resolve) => setTimeout(resolve, 50));
    const text = await metrics();
    expect(series(text, 'figway_config_reloads_total', { result: 'success' })).toBe(1);
    expect(series(text, 'figway_config_reloads_total', { result: 'failure' })).toBe(1);
    expect(series(text, 'figway_rollout_percent', { route: 'orders' })).toBe(75);
    expect(text).not.toContain('route="broken"');
    await monolith.gateway.reload({ routes: routes(service.url) });
  });

  it('passes promtool check metrics', async () => {
    const result = await promtool(['check', 'metrics'], await metrics());
    expect(result.output).toBe('');
    expect(result.code).toBe(0);
  });

  it('shares one registry between several figway instances without "already registered"', async () => {
    const shared = new Registry();
    const config = { routes: [{ id: 'a', match: { path: '/a' }, upstream: service.url }] };
    const first = figway({ config, registry: shared, logger: quietLogger });
    const second = figway({ config: { routes: [{ id: 'b', match: { path: '/b' }, upstream: service.url, rollout: { percent: 5 } }] }, registry: shared, logger: quietLogger });
    const text = await shared.metrics();
    expect(series(text, 'figway_rollout_percent', { route: 'a' })).toBe(100);
    expect(series(text, 'figway_rollout_percent', { route: 'b' })).toBe(5);
    await first.close();
    await second.close();
    expect(series(await shared.metrics(), 'figway_rollout_percent', { route: 'a' })).toBeUndefined();
  });

  it("collects Node's process metrics on figway's registry when asked (defaultMetrics), once however many reloads", async () => {
    const own = new Registry();
    const config = { plugins: { metrics: { defaultMetrics: true } }, routes: [{ id: 'a', match: { path: '/a' }, upstream: service.url }] };
    const gateway = figway({ config, registry: own, logger: quietLogger });
    await gateway.reload(config);
    const text = await own.metrics();
    expect(text).toMatch(/^process_cpu_user_seconds_total \d/m);
    expect(text).toMatch(/^nodejs_eventloop_lag_seconds \d/m);
    expect(text).toMatch(/^figway_rollout_percent\{route="a"\} 100/m);
    await gateway.close();
    const without = new Registry();
    const plain = figway({ config: { routes: [] }, registry: without, logger: quietLogger });
    expect(await without.metrics()).not.toContain('process_cpu_user_seconds_total');
    await plain.close();
  });
});
