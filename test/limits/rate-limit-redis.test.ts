// Rate limits in a real redis-server: one budget for every replica, and Redis outages that never crash or hang a request.
import net from 'node:net';
import { createClient } from 'redis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FigwayConfig } from '../../src/types.js';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.js';
import { REDIS_MISSING, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { request, type Reply } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { monolithsClosedAfterEach } from './limit-helpers.js';

describe.skipIf(REDIS_MISSING !== undefined)(REDIS_MISSING ?? 'with a real redis-server', () => {
  /** What a request may take while Redis is down or hung: the store's 1 s bound plus slack. */
  const ANSWER_BOUND_MS = 2000;

  let service: Upstream;
  let shared: RedisServer;
  beforeAll(async () => {
    service = await startUpstream('orders');
    shared = await startRedisServer();
  });
  afterAll(async () => {
    await service.close();
    await shared.stop();
  });

  const start = monolithsClosedAfterEach();
  const servers: RedisServer[] = [];
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => server.stop()));
  });
  const ownRedis = async () => {
    const server = await startRedisServer();
    servers.push(server);
    return server;
  };

  let prefixes = 0;
  const redisConfig = (url: string, onStoreError: 'open' | 'closed', limit = 2): FigwayConfig => ({
    limits: { store: 'redis', redis: { url, prefix: `test${(prefixes += 1)}:rl` }, onStoreError },
    routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: service.url, limits: { limit, window: '1m' } }],
  });

  async function timed(base: string, path = '/api/orders'): Promise<{ reply: Reply; ms: number }> {
    const started = performance.now();
    const reply = await request(base, path);
    return { reply, ms: performance.now() - started };
  }

  const warnings = (logs: CapturedLogs) => logs.lines.filter((line) => String(line.msg).includes('rate-limit store is unreachable'));

  describe('the redis store', () => {
    it('gives two figway instances sharing one Redis one budget, under the configured prefix', async () => {
      const config = redisConfig(shared.url, 'closed', 3);
      const a = await start(config);
      const b = await start(config);
      const replies = [await request(a.url, '/api/orders'), await request(b.url, '/api/orders'), await request(a.url, '/api/orders'), await request(b.url, '/api/orders')];
      expect(replies.map((reply) => reply.status)).toEqual([200, 200, 200, 429]);
      expect(replies[2]?.headers.ratelimit).toBe('"route:orders:0"; r=0; t=60');
      expect(replies[3]?.json()).toMatchObject({ error: { code: 'FIGWAY_RATE_LIMITED', status: 429 } });

      const client = createClient({ url: shared.url });
      client.on('error', () => {});
      await client.connect();
      try {
        const prefix = (config.limits?.redis?.prefix as string) + ':';
        expect(await client.keys(`${prefix}*`)).toEqual([`${prefix}route:orders:0:ip:127.0.0.1`]);
        expect(Number(await client.pTTL(`${prefix}route:orders:0:ip:127.0.0.1`))).toBeGreaterThan(55_000);
      } finally {
        client.destroy();
      }
    });

    it('onStoreError open: requests pass quickly while Redis is down, one warning is logged, limits return with Redis', async () => {
      const redis = await ownRedis();
      const logs = captureLogs();
      const monolith = await start(redisConfig(redis.url, 'open'), { logger: logs.logger });
      expect((await request(monolith.url, '/api/orders')).status).toBe(200);

      await redis.stop();
      for (let i = 0; i < 5; i++) {
        const { reply, ms } = await timed(monolith.url);
        expect(reply.status).toBe(200);
        expect(reply.json()).toMatchObject({ service: 'orders' });
        expect(ms).toBeLessThan(ANSWER_BOUND_MS);
      }
      expect(warnings(logs)).toHaveLength(1);
      expect(warnings(logs)[0]).toMatchObject({ level: 40, onStoreError: 'open' });

      await redis.restart();
      await expect.poll(async () => (await request(monolith.url, '/api/orders')).headers.ratelimit, { timeout: 5000 }).toBeDefined();
      // The restarted Redis kept nothing: one request counted so far, one left, then 429.
      expect((await request(monolith.url, '/api/orders')).status).toBe(200);
      expect((await request(monolith.url, '/api/orders')).status).toBe(429);
      expect(logs.lines.some((line) => line.msg === 'figway: the rate-limit store is reachable again')).toBe(true);
    });

    it('onStoreError closed: 503 FIGWAY_RATE_LIMIT_UNAVAILABLE quickly while Redis is down, logged once, served again with Redis', async () => {
      const redis = await ownRedis();
      const logs = captureLogs();
      const monolith = await start(redisConfig(redis.url, 'closed'), { logger: logs.logger });
      expect((await request(monolith.url, '/api/orders')).status).toBe(200);

      await redis.stop();
      for (let i = 0; i < 5; i++) {
        const { reply, ms } = await timed(monolith.url);
        expect(reply.status).toBe(503);
        expect(reply.headers['x-figway-error']).toBe('FIGWAY_RATE_LIMIT_UNAVAILABLE');
        expect(reply.json()).toEqual({ error: { code: 'FIGWAY_RATE_LIMIT_UNAVAILABLE', message: 'the rate-limit store is unreachable', status: 503 } });
        expect(ms).toBeLessThan(ANSWER_BOUND_MS);
      }
      expect(warnings(logs)).toHaveLength(1);
      expect(warnings(logs)[0]).toMatchObject({ level: 40, onStoreError: 'closed' });

      await redis.restart();
      await expect.poll(async () => (await request(monolith.url, '/api/orders')).status, { timeout: 5000 }).toBe(200);
    });

    it('says the store is back when its first answer after an outage is a refusal (429)', async () => {
      const redis = await ownRedis();
      const logs = captureLogs();
      const monolith = await start(redisConfig(redis.url, 'closed', 1), { logger: logs.logger });
      expect((await request(monolith.url, '/api/orders')).status).toBe(200);
      const operator = createClient({ url: redis.url });
      operator.on('error', () => {});
      await operator.connect();
      try {
        // Writes wait while Redis is paused; the counts they carry land once it resumes, so the budget stays spent.
        await operator.sendCommand(['CLIENT', 'PAUSE', '2500', 'WRITE']);
        expect((await request(monolith.url, '/api/orders')).status).toBe(503);
        expect(warnings(logs)).toHaveLength(1);
        await expect.poll(async () => (await request(monolith.url, '/api/orders')).status, { timeout: 8000 }).toBe(429);
        expect(logs.lines.filter((line) => line.msg === 'figway: the rate-limit store is reachable again')).toHaveLength(1);
      } finally {
        operator.destroy();
      }
    });

    it('recovers when Redis was down while figway started (its scripts could not be loaded then)', async () => {
      const redis = await ownRedis();
      await redis.stop();
      const monolith = await start(redisConfig(redis.url, 'closed'));
      const { reply, ms } = await timed(monolith.url);
      expect(reply.status).toBe(503);
      expect(ms).toBeLessThan(ANSWER_BOUND_MS);

      await redis.restart();
      await expect.poll(async () => (await request(monolith.url, '/api/orders')).status, { timeout: 5000 }).toBe(200);
      // Counting again: that request was the first of two.
      expect((await request(monolith.url, '/api/orders')).status).toBe(200);
      expect((await request(monolith.url, '/api/orders')).status).toBe(429);
    });

    it('bounds every request when Redis hangs (connected, but no longer answering)', async () => {
      const redis = await ownRedis();
      const link = await startFreezableLink(redis.port);
      try {
        const closed = await start(redisConfig(`redis://127.0.0.1:${link.port}`, 'closed', 100));
        const open = await start(redisConfig(`redis://127.0.0.1:${link.port}`, 'open', 100));
        expect((await request(closed.url, '/api/orders')).status).toBe(200);
        expect((await request(open.url, '/api/orders')).status).toBe(200);

        link.freeze();
        const [refused, passed] = await Promise.all([timed(closed.url), timed(open.url)]);
        expect(refused.reply.status).toBe(503);
        expect(refused.ms).toBeLessThan(ANSWER_BOUND_MS);
        expect(passed.reply.status).toBe(200);
        expect(passed.ms).toBeLessThan(ANSWER_BOUND_MS);
      } finally {
        link.close();
      }
    });

    it('never connects to Redis while the plugin is switched off', async () => {
      let connections = 0;
      const counting = net.createServer((socket) => {
        connections += 1;
        socket.destroy();
      });
      await new Promise<void>((resolve) => counting.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = counting.address() as net.AddressInfo;
        const monolith = await start({ ...redisConfig(`redis://127.0.0.1:${port}`, 'closed'), plugins: { 'rate-limit': false } });
        expect((await request(monolith.url, '/api/orders')).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(connections).toBe(0);
      } finally {
        counting.close();
      }
    });

    it('bounds every request when the Redis address accepts connections but never answers', async () => {
      const silent = net.createServer(() => {});
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const { port } = silent.address() as net.AddressInfo;
        const monolith = await start(redisConfig(`redis://127.0.0.1:${port}`, 'closed'));
        for (let i = 0; i < 2; i++) {
          const { reply, ms } = await timed(monolith.url);
          expect(reply.status).toBe(503);
          expect(ms).toBeLessThan(ANSWER_BOUND_MS);
        }
      } finally {
        silent.close();
      }
    });
  });

  /** A TCP link to Redis that can be frozen: bytes stop flowing both ways while every socket stays open. */
  async function startFreezableLink(targetPort: number): Promise<{ port: number; freeze(): void; close(): void }> {
    let frozen = false;
    const sockets = new Set<net.Socket>();
    const server = net.createServer((client) => {
      const target = net.connect(targetPort, '127.0.0.1');
      for (const socket of [client, target]) {
        sockets.add(socket);
        socket.on('error', () => {});
        socket.on('close', () => sockets.delete(socket));
      }
      client.on('data', (data: Buffer) => frozen || target.write(data));
      target.on('data', (data: Buffer) => frozen || client.write(data));
      client.on('close', () => target.destroy());
      target.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return {
      port: (server.address() as net.AddressInfo).port,
      freeze: () => (frozen = true),
      close() {
        for (const socket of sockets) socket.destroy();
        server.close();
      },
    };
  }
});
