// Rate limits in memory, end to end: 429 in the configured shape, budgets by key, global vs route, reloads.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FigwayConfig } from '../../src/types.js';
import { captureLogs } from '../helpers/log-capture.js';
import { GATEWAY_MODES } from '../helpers/monolith.js';
import { request, type Reply } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { monolithsClosedAfterEach, partitionKey } from './limit-helpers.js';

let service: Upstream;

const route = (id: string, path: string, extra: Partial<FigwayConfig['routes'][number]> = {}) => ({ id, match: { path }, upstream: service.url, ...extra });
const statuses = (replies: Reply[]) => replies.map((reply) => reply.status);

/** Sends requests one after the other (a budget is spent in order). */
async function send(base: string, requests: [string, Record<string, string>?][]): Promise<Reply[]> {
  const replies: Reply[] = [];
  for (const [path, headers] of requests) replies.push(await request(base, path, { headers }));
  return replies;
}

describe.each(GATEWAY_MODES)('rate limits (%s mode)', (mode) => {
  const start = monolithsClosedAfterEach(mode);
  beforeAll(async () => {
    service = await startUpstream('orders');
  });
  afterAll(async () => {
    await service.close();
  });

  describe('a route limit', () => {
    it('answers 429 FIGWAY_RATE_LIMITED in the configured error shape, with draft-8 headers and Retry-After', async () => {
      const monolith = await start({
        errors: { contentType: 'application/problem+json', body: { type: 'about:blank', title: '{code}', detail: '{message}', status: '{status}' } },
        routes: [route('orders', '/api/orders', { limits: { limit: 2, window: '1m' } })],
      });
      const [first, second, refused] = await send(monolith.url, [['/api/orders'], ['/api/orders'], ['/api/orders']]);

      expect(statuses([first as Reply, second as Reply])).toEqual([200, 200]);
      expect(first?.json()).toMatchObject({ service: 'orders' });
      expect(first?.headers.ratelimit).toBe('"route:orders:0"; r=1; t=60');
      expect(refused?.status).toBe(429);
      expect(refused?.headers['content-type']).toBe('application/problem+json');
      expect(refused?.headers['x-figway-error']).toBe('FIGWAY_RATE_LIMITED');
      expect(refused?.json()).toEqual({ type: 'about:blank', title: 'FIGWAY_RATE_LIMITED', detail: 'rate limit exceeded: 2 requests per 1m', status: 429 });
      expect(refused?.headers.ratelimit).toBe('"route:orders:0"; r=0; t=60');
      expect(refused?.headers['ratelimit-policy']).toBe(`"route:orders:0"; q=2; w=60; pk=:${partitionKey('ip:127.0.0.1')}:`);
      expect(Number(refused?.headers['retry-after'])).toBeGreaterThan(0);
      expect(Number(refused?.headers['retry-after'])).toBeLessThanOrEqual(60);
      expect(Object.keys(refused?.headers ?? {}).filter((name) => name.startsWith('x-ratelimit'))).toEqual([]);
      expect(service.received.filter((r) => r.url === '/api/orders')).toHaveLength(2);
    });

    it('gives each entry of a list its own budget', async () => {
      const monolith = await start({
        routes: [route('orders', '/api/orders', { limits: [{ limit: 3, window: '1m' }, { limit: 1, window: '1m', key: ['header:x-tenant'] }] })],
      });
      const replies = await send(monolith.url, [
        ['/api/orders', { 'x-tenant': 'a' }],
        ['/api/orders', { 'x-tenant': 'a' }],
        ['/api/orders', { 'x-tenant': 'b' }],
        ['/api/orders', { 'x-tenant': 'c' }],
      ]);
      expect(statuses(replies)).toEqual([200, 429, 200, 429]);
      expect(replies[1]?.headers.ratelimit).toBe('"route:orders:0"; r=1; t=60, "route:orders:1"; r=0; t=60');
      expect(replies[3]?.headers.ratelimit).toMatch(/^"route:orders:0"; r=0; t=\d+$/);
    });
  });

  describe('the global limit', () => {
    it('is one budget over every route, spent before the route ones', async () => {
      const monolith = await start({
        limits: { global: { limit: 3, window: '1m' } },
        routes: [route('orders', '/api/orders', { limits: { limit: 5, window: '1m' } }), route('users', '/api/users')],
      });
      const replies = await send(monolith.url, [['/api/orders'], ['/api/users'], ['/api/orders'], ['/api/users'], ['/api/orders']]);
      expect(statuses(replies)).toEqual([200, 200, 200, 429, 429]);
      expect(replies[2]?.headers.ratelimit).toBe('"global"; r=0; t=60, "route:orders:0"; r=3; t=60');
      expect(replies[3]?.headers['ratelimit-policy']).toMatch(/^"global"; q=3; w=60; pk=/);
    });

    it('is the only limit of a route with limits: false; without it such a route is not limited at all', async () => {
      const withGlobal = await start({
        limits: { global: { limit: 2, window: '1m' } },
        routes: [route('free', '/api/free', { limits: false })],
      });
      const limited = await send(withGlobal.url, [['/api/free'], ['/api/free'], ['/api/free']]);
      expect(statuses(limited)).toEqual([200, 200, 429]);
      expect(limited[0]?.headers.ratelimit).toBe('"global"; r=1; t=60');

      const withoutGlobal = await start({ routes: [route('free', '/api/free', { limits: false }), route('other', '/api/other', { limits: { limit: 1, window: '1m' } })] });
      const free = await send(withoutGlobal.url, [['/api/free'], ['/api/free'], ['/api/free']]);
      expect(statuses(free)).toEqual([200, 200, 200]);
      expect(free[2]?.headers.ratelimit).toBeUndefined();
    });

    it('is switched off for a route like any plugin, with plugins: { rate-limit: false }', async () => {
      const monolith = await start({
        limits: { global: { limit: 1, window: '1m' } },
        routes: [route('orders', '/api/orders', { plugins: { 'rate-limit': false } })],
      });
      const replies = await send(monolith.url, [['/api/orders'], ['/api/orders']]);
      expect(statuses(replies)).toEqual([200, 200]);
      expect(replies[1]?.headers.ratelimit).toBeUndefined();

      const offButOneRoute = await start({
        plugins: { 'rate-limit': false },
        limits: { global: { limit: 1, window: '1m' } },
        routes: [route('orders', '/api/orders'), route('users', '/api/users', { plugins: { 'rate-limit': true } })],
      });
      const mixed = await send(offButOneRoute.url, [['/api/orders'], ['/api/orders'], ['/api/users'], ['/api/users']]);
      expect(statuses(mixed)).toEqual([200, 200, 200, 429]);
    });

    it('leaves requests no route matched alone', async () => {
      const monolith = await start({ limits: { global: { limit: 1, window: '1m' } }, routes: [route('orders', '/api/orders')] });
      const replies = await send(monolith.url, [['/legacy'], ['/legacy'], ['/legacy']]);
      expect(statuses(replies)).toEqual([200, 200, 200]);
      expect(replies[0]?.json()).toMatchObject({ service: 'legacy' });
      expect(replies[0]?.headers.ratelimit).toBeUndefined();
    });
  });

  describe('budget keys', () => {
    const oneEach = (key?: string[]) => ({ routes: [route('orders', '/api/orders', { limits: { limit: 1, window: '1m', ...(key ? { key } : {}) } })] });

    it('gives two users separate budgets', async () => {
      const monolith = await start(oneEach());
      const replies = await send(monolith.url, [
        ['/api/orders', { 'x-test-user': 'alice' }],
        ['/api/orders', { 'x-test-user': 'alice' }],
        ['/api/orders', { 'x-test-user': 'bob' }],
      ]);
      expect(statuses(replies)).toEqual([200, 429, 200]);
      expect(replies[0]?.headers['ratelimit-policy']).toContain(`pk=:${partitionKey('user:alice')}:`);
      expect(replies[2]?.headers['ratelimit-policy']).toContain(`pk=:${partitionKey('user:bob')}:`);
    });

    // Server mode proxies before the app's middleware, so there is no req.user from it to count.
    it.skipIf(mode === 'server')("counts the monolith's req.user when no plugin established an identity", async () => {
      const monolith = await start(oneEach(), {}, {
        before: [
          (req, _res, next) => {
            const user = req.headers['x-session-user'];
            if (typeof user === 'string') (req as { user?: unknown }).user = { id: user };
            next();
          },
        ],
      });
      const replies = await send(monolith.url, [
        ['/api/orders', { 'x-session-user': 'carol' }],
        ['/api/orders', { 'x-session-user': 'carol' }],
        ['/api/orders', { 'x-session-user': 'dave' }],
      ]);
      expect(statuses(replies)).toEqual([200, 429, 200]);
      expect(replies[0]?.headers['ratelimit-policy']).toContain(`pk=:${partitionKey('user:carol')}:`);
    });

    it('counts an API key identity as apikey, apart from a user of the same name', async () => {
      const monolith = await start(oneEach());
      const replies = await send(monolith.url, [
        ['/api/orders', { 'x-test-key': 'k1' }],
        ['/api/orders', { 'x-test-key': 'k1' }],
        ['/api/orders', { 'x-test-user': 'k1' }],
      ]);
      expect(statuses(replies)).toEqual([200, 429, 200]);
      expect(replies[0]?.headers['ratelimit-policy']).toContain(`pk=:${partitionKey('apikey:k1')}:`);
    });

    it('counts IPv6 callers by /64: two addresses of one /64 share a budget, another /64 has its own', async () => {
      const monolith = await start(oneEach(['ip']), {}, { settings: { 'trust proxy': 'loopback' } });
      const replies = await send(monolith.url, [
        ['/api/orders', { 'x-forwarded-for': '2001:db8:1:2::1' }],
        ['/api/orders', { 'x-forwarded-for': '2001:db8:1:2:ffff::9' }],
        ['/api/orders', { 'x-forwarded-for': '2001:db8:1:3::1' }],
        ['/api/orders', { 'x-forwarded-for': '192.0.2.1' }],
      ]);
      expect(statuses(replies)).toEqual([200, 429, 200, 200]);
      expect(replies[0]?.headers['ratelimit-policy']).toContain(`pk=:${partitionKey('ip:2001:db8:1:2::/64')}:`);
    });

    it('counts by a header, and by address when the header is missing', async () => {
      const monolith = await start(oneEach(['header:x-tenant']));
      const replies = await send(monolith.url, [
        ['/api/orders', { 'x-tenant': 'acme' }],
        ['/api/orders', { 'x-tenant': 'acme' }],
        ['/api/orders', { 'x-tenant': 'globex' }],
        ['/api/orders'],
        ['/api/orders'],
      ]);
      expect(statuses(replies)).toEqual([200, 429, 200, 200, 429]);
      expect(replies[0]?.headers['ratelimit-policy']).toContain(`pk=:${partitionKey('header:x-tenant:acme')}:`);
      expect(replies[3]?.headers['ratelimit-policy']).toContain(`pk=:${partitionKey('ip:127.0.0.1')}:`);
    });

    it('ignores a forged X-Forwarded-For while trust proxy is off: every forged address shares the real one', async () => {
      const logs = captureLogs();
      const monolith = await start({ routes: [route('orders', '/api/orders', { limits: { limit: 2, window: '1m', key: ['ip'] } })] }, { logger: logs.logger });
      const replies = await send(monolith.url, [
        ['/api/orders', { 'x-forwarded-for': '198.51.100.1' }],
        ['/api/orders', { 'x-forwarded-for': '198.51.100.2' }],
        ['/api/orders', { 'x-forwarded-for': '2001:db8::77' }],
      ]);
      expect(statuses(replies)).toEqual([200, 200, 429]);
      expect(replies[2]?.headers['ratelimit-policy']).toContain(`pk=:${partitionKey('ip:127.0.0.1')}:`);
      // figway keys by the trusted address itself: nothing about the forged header is worth an error.
      expect(logs.lines.filter((line) => (line.level as number) >= 50 || JSON.stringify(line).includes('ERR_ERL'))).toEqual([]);
    });
  });

  describe('reloads', () => {
    const config = (limit: number, extraRoutes: FigwayConfig['routes'] = []): FigwayConfig => ({
      limits: { global: { limit: 10, window: '1m' } },
      routes: [route('orders', '/api/orders', { limits: { limit, window: '1m' } }), ...extraRoutes],
    });

    it('keep the counters of limits whose settings did not change, and start afresh for those that did', async () => {
      const monolith = await start(config(2));
      expect(statuses(await send(monolith.url, [['/api/orders'], ['/api/orders']]))).toEqual([200, 200]);

      await monolith.gateway.reload(config(2, [route('users', '/api/users')]));
      const kept = await request(monolith.url, '/api/orders');
      expect(kept.status).toBe(429);
      expect(kept.headers.ratelimit).toBe('"global"; r=7; t=60, "route:orders:0"; r=0; t=60');

      await monolith.gateway.reload(config(3, [route('users', '/api/users')]));
      const changed = await request(monolith.url, '/api/orders');
      expect(changed.status).toBe(200);
      expect(changed.headers.ratelimit).toBe('"global"; r=6; t=60, "route:orders:0"; r=2; t=60');
    });

    it('keep serving the old limits when a reload is rejected', async () => {
      const monolith = await start(config(1));
      expect((await request(monolith.url, '/api/orders')).status).toBe(200);
      await expect(monolith.gateway.reload({ ...config(5), plugins: { ghost: {} } })).rejects.toThrow(/unknown plugin "ghost"/);
      expect((await request(monolith.url, '/api/orders')).status).toBe(429);
    });
  });
});
