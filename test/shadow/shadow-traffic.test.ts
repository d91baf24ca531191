// Shadow traffic end to end: a real monolith, real services, the legacy handler run in-process for
// copies; the client's response never changes and writes are never doubled.
import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../cli/run-cli.js';
import { adminCall } from '../helpers/admin-client.js';
import { GATEWAY_SETUPS, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request, type Reply } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const TOKEN = 'shadow-admin-token-0123456789';

interface ShadowAnswer {
  compared: number;
  mismatches: number;
  errors: number;
  skipped: number;
  samples: { request: { method: string; path: string }; primary: { side: string; status: number }; shadow: { side: string; status?: number; error?: string }; differences: string[] }[];
}

describe.each(GATEWAY_SETUPS)('shadow traffic ($label)', ({ mode, engine }) => {
  let monolith: Monolith;
  let orders: Upstream;
  let users: Upstream;
  let slow: Upstream;
  const clock = 1_700_000_000_000;
  let coin = 0;
  const registry = new Registry();
  const legacyHits: { path: string; shadowHeader: string | undefined }[] = [];
  /** Answers of the slow service are held here until a test lets them go. */
  const held: ServerResponse[] = [];

  beforeAll(async () => {
    orders = await startUpstream('orders', (_req, res, received) => {
      res.setHeader('content-type', 'application/json');
      res.setHeader('x-from', 'orders-service');
      const total = received.url.includes('page=2') ? 99 : 3;
      res.end(JSON.stringify({ generatedAt: `service-${received.url}`, total, items: [{ id: 'svc-1', sku: 'A' }], password: 'service-secret' }));
    });
    users = await startUpstream('users', (_req, res, received) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ from: 'users-service', name: 'Ada', url: received.url }));
    });
    slow = await startUpstream('slow', (_req, res: ServerResponse) => void held.push(res));
    monolith = await startMonolith(
      express,
      {
        registry,
        now: () => clock,
        // Only the shadow share draws here (rollouts are 0% or 100%): 0.0, 0.1 … 0.9, so 50% is exactly 5 of every 10 requests.
        random: () => (coin++ % 10) / 10,
        config: {
          admin: { port: 0, token: TOKEN },
          state: { store: 'file', path: `/tmp/figway-shadow-${process.pid}-${mode}-${engine}.json` },
          routes: [
            {
              id: 'orders',
              match: { path: '/api/orders' },
              upstream: orders.url,
              rollout: { percent: 0 },
              shadow: { percent: 100, compare: { headers: ['content-type'], ignore: ['generatedAt', 'items[*].id'] }, samples: 2 },
            },
            { id: 'users', match: { path: '/api/users' }, upstream: users.url, shadow: { percent: 100 } },
            { id: 'writes', match: { path: '/api/carts' }, upstream: orders.url, rollout: { percent: 0 }, shadow: { percent: 100, methods: ['GET', 'DELETE', 'POST'] } },
            { id: 'slow', match: { path: '/api/slow' }, upstream: slow.url, rollout: { percent: 0 }, shadow: { percent: 100, timeout: '1s', concurrency: 1 } },
            { id: 'half', match: { path: '/api/half' }, upstream: users.url, rollout: { percent: 0 }, shadow: { percent: 50 } },
          ],
        },
      },
      {
        mode,
        engine,
        after: (app) => {
          app.use((req: IncomingMessage & { path?: string }, _res, next) => {
            legacyHits.push({ path: req.url ?? '', shadowHeader: req.headers['x-figway-shadow'] as string | undefined });
            next();
          });
          app.get('/api/orders', (req, res) => {
            res.json({ generatedAt: `legacy-${Date.now()}`, total: 3, items: [{ id: 'leg-1', sku: 'A' }], password: 'legacy-secret' });
          });
          app.get('/api/users/:id', (req, res) => void res.json({ from: 'users-service', name: req.params.id === 'broken' ? 'Bob' : 'Ada', url: req.url }));
        },
      },
    );
    await monolith.gateway.ready;
  });
  afterAll(async () => {
    for (const res of held) res.destroy();
    await monolith.close();
    await Promise.all([orders.close(), users.close(), slow.close()]);
  });

  const report = async (route: string) => (await adminCall(monolith.gateway.adminUrl as string, TOKEN, 'GET', `/routes/${route}/shadow`)).json<ShadowAnswer>();
  const settled = (route: string, count: number) =>
    expect.poll(async () => {
      const r = await report(route);
      return r.compared + r.errors + r.skipped;
    }).toBe(count);
  const exactly = (reply: Reply) => ({ status: reply.status, body: reply.body, type: reply.headers['content-type'], from: reply.headers['x-from'] });

  it('serves the client from legacy unchanged, and compares with a copy sent to the service, ignoring the configured paths', async () => {
    const reply = await request(monolith.url, '/api/orders?page=1');
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ generatedAt: expect.stringMatching(/^legacy-/), items: [{ id: 'leg-1' }] });
    expect(reply.headers['x-from']).toBeUndefined();
    await settled('orders', 1);
    expect(orders.received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/orders?page=1']);
    // generatedAt and items[*].id differ and are ignored; only the password differs, and it is hidden.
    expect(await report('orders')).toMatchObject({ compared: 1, mismatches: 1, samples: [{ differences: ['body.password: [Redacted] → [Redacted]'] }] });
  });

  it('counts matches and mismatches in the metrics, and keeps only the last `samples` mismatches, redacted', async () => {
    await request(monolith.url, '/api/orders?page=2&token=abc');
    await request(monolith.url, '/api/orders?page=3');
    await settled('orders', 3);
    const answer = await report('orders');
    expect(answer).toMatchObject({ compared: 3, mismatches: 3, errors: 0 });
    expect(answer.samples).toHaveLength(2);
    expect(answer.samples.map((s) => s.request.path)).toEqual(['/api/orders?page=3', '/api/orders?page=2&token=[Redacted]']);
    expect(answer.samples[1]).toMatchObject({ primary: { side: 'legacy', status: 200 }, shadow: { side: 'service', status: 200 } });
    expect(answer.samples[1]?.differences).toContain('body.total: 3 → 99');
    expect(await registry.getSingleMetricAsString('figway_shadow_comparisons_total')).toContain('figway_shadow_comparisons_total{route="orders",result="mismatch"} 3');
  });

  it('serves the client from the service unchanged, and runs the copy through the monolith in-process', async () => {
    legacyHits.length = 0;
    const reply = await request(monolith.url, '/api/users/7');
    expect(reply.json()).toEqual({ from: 'users-service', name: 'Ada', url: '/api/users/7' });
    await settled('users', 1);
    expect(await report('users')).toMatchObject({ compared: 1, mismatches: 0, samples: [] });
    // The copy went through the app's own middleware to the legacy handler, without figway's marker.
    expect(legacyHits).toEqual([{ path: '/api/users/7', shadowHeader: undefined }]);
    expect(users.received).toHaveLength(1);
    // figway counted one request: the copy is not a client request.
    expect(await registry.getSingleMetricAsString('figway_requests_total')).toMatch(/figway_requests_total\{route="users",target="service",method="GET",status_class="2xx"\} 1$/m);

    await request(monolith.url, '/api/users/broken');
    await settled('users', 2);
    expect((await report('users')).samples[0]).toMatchObject({ primary: { side: 'service' }, shadow: { side: 'legacy', status: 200 }, differences: ['body.name: "Ada" → "Bob"'] });
  });

  it('ignores a forged marker: a client cannot make figway hand its request to legacy', async () => {
    const before = users.received.length;
    const reply = await request(monolith.url, '/api/users/8', { headers: { 'x-figway-shadow': '0'.repeat(32) } });
    expect(reply.json()).toMatchObject({ from: 'users-service' });
    expect(users.received.length).toBe(before + 1);
  });

  it('never copies a write: other methods only when listed, and never one with a body', async () => {
    const servedBefore = orders.received.length;
    const post = await request(monolith.url, '/api/carts', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"sku":"A"}' });
    expect(post.json()).toMatchObject({ service: 'legacy', method: 'POST' });
    const put = await request(monolith.url, '/api/carts', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"sku":"A"}' });
    expect(put.json()).toMatchObject({ method: 'PUT' });
    const del = await request(monolith.url, '/api/carts', { method: 'DELETE' });
    expect(del.json()).toMatchObject({ method: 'DELETE' });
    await settled('writes', 2);
    // The POST had a body: skipped. PUT is not listed: not considered. DELETE without a body: copied once.
    expect(orders.received.slice(servedBefore).map((r) => r.method)).toEqual(['DELETE']);
    expect(await report('writes')).toMatchObject({ skipped: 1, compared: 1 });
  });

  it('answers the client while the shadow side hangs, gives up on it after its timeout, and skips copies past the concurrency cap', async () => {
    const started = performance.now();
    const first = await request(monolith.url, '/api/slow');
    expect(first.json()).toMatchObject({ service: 'legacy' });
    // Well under the shadow's timeout, which a client held for the shadow would wait out; the second
    // request comes while the first copy still hangs (the cap of one).
    expect(performance.now() - started).toBeLessThan(500);
    const second = await request(monolith.url, '/api/slow');
    expect(exactly(second)).toEqual(exactly(first));
    await settled('slow', 2);
    const answer = await report('slow');
    expect(answer).toMatchObject({ errors: 1, skipped: 1, compared: 0 });
    expect(answer.samples[0]).toMatchObject({ shadow: { side: 'service', error: 'no answer within 1000 ms' }, differences: ['service failed: no answer within 1000 ms'] });
    expect(held).toHaveLength(1);
  });

  it('copies the configured share of requests', async () => {
    coin = 0;
    for (let i = 0; i < 20; i++) await request(monolith.url, `/api/half?i=${i}`);
    await settled('half', 10);
    expect(users.received.filter((r) => r.url.startsWith('/api/half'))).toHaveLength(10);
  });

  it('sends no copies to a service while the kill switch is on', async () => {
    const admin = (body: unknown) => adminCall(monolith.gateway.adminUrl as string, TOKEN, 'POST', '/kill-switch', body);
    const before = orders.received.length;
    const { compared } = await report('orders');
    expect((await admin({ on: true })).status).toBe(200);
    try {
      for (let i = 0; i < 3; i++) expect((await request(monolith.url, '/api/orders?killed=1')).json()).toMatchObject({ items: [{ id: 'leg-1' }] });
      await new Promise((resolve) => setTimeout(resolve, 100));
      expect(orders.received.length).toBe(before);
      expect((await report('orders')).compared).toBe(compared);
    } finally {
      await admin({ on: false });
    }
  });

  it('shows the figures and samples through the CLI', async () => {
    const result = await runCli(['--admin', monolith.gateway.adminUrl as string, '--token', TOKEN, 'shadow', 'orders']);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^orders: 100% shadowed; 3 mismatches in 3 compared \(100%\), 0 errors, 0 skipped\n/);
    expect(result.stdout).toContain('GET /api/orders?page=3  legacy 200 → service 200');
    expect(result.stdout).toContain('  body.total: 3 → 99');
    const none = await runCli(['--admin', monolith.gateway.adminUrl as string, '--token', TOKEN, 'shadow', 'nope']);
    expect(none.code).not.toBe(0);
  });
});
