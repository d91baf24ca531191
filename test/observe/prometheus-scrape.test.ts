// A real Prometheus server scrapes a running figway and answers a PromQL query for the request count.
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

describe('Prometheus scrape', () => {
  let service: Upstream;
  let monolith: Monolith;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    service = await startUpstream('orders');
    monolith = await startMonolith(
      express,
      { registry: new Registry(), config: { routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: service.url }] } },
      { after: (app, gateway) => app.get('/metrics', gateway.metricsHandler) },
    );
    prometheus = await startPrometheus(`127.0.0.1:${monolith.port}`, '/metrics');
  });
  afterAll(async () => {
    prometheus.stop();
    await monolith.close();
    await service.close();
  });

  it('answers sum(figway_requests_total) with the number of requests figway served', async () => {
    for (let i = 0; i < 7; i++) expect((await request(monolith.url, `/api/orders/${i}`)).status).toBe(200);
    await expect
      .poll(() => prometheus.query('sum(figway_requests_total{route="orders",target="service",status_class="2xx"})'), { timeout: 30_000, interval: 500 })
      .toBe(7);
  }, 40_000);
});
