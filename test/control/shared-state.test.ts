// Two figway instances (two replicas of the monolith) sharing a real redis-server: a runtime change
// on one is live on the other within a second, and a Redis outage breaks neither.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall } from '../helpers/admin-client.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { REDIS_MISSING, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

describe.skipIf(REDIS_MISSING !== undefined)(REDIS_MISSING ?? 'with a real redis-server', () => {
  const TOKEN = 'replica-admin-token-0123456789';

  describe('two replicas sharing Redis', () => {
    let dir: string;
    let redis: RedisServer;
    let service: Upstream;
    const replicas: Monolith[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'figway-replicas-'));
      redis = await startRedisServer({ dir });
      service = await startUpstream('orders');
      for (const name of ['a', 'b']) {
        const replica = await startMonolith(express, {
          registry: new Registry(),
          config: {
            admin: { port: 0, token: TOKEN },
            state: { store: 'redis', url: redis.url, prefix: 'shop', cacheFile: path.join(dir, `cache-${name}.json`) },
            routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: service.url, rollout: { percent: 0 } }],
          },
        });
        await replica.gateway.ready;
        replicas.push(replica);
      }
    });
    afterAll(async () => {
      for (const replica of replicas) await replica.close();
      await service.close();
      await redis.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    const side = async (replica: Monolith) => (await request(replica.url, '/api/orders', { headers: { 'x-user-id': 'alice' } })).json().service;
    const admin = (replica: Monolith, method: string, p: string, body?: unknown) => adminCall(replica.gateway.adminUrl as string, TOKEN, method, p, body);

    it('applies a change made on one replica on the other within a second', async () => {
      const [a, b] = replicas as [Monolith, Monolith];
      expect(await side(b)).toBe('legacy');
      const started = Date.now();
      expect((await admin(a, 'PUT', '/routes/orders/rollout', { percent: 100 })).status).toBe(200);
      await expect.poll(() => side(b), { timeout: 1000, interval: 20 }).toBe('orders');
      expect(Date.now() - started).toBeLessThan(1000);
      expect((await admin(b, 'GET', '/routes/orders')).json()).toMatchObject({ rollout: { percent: 100, source: 'runtime' } });
    });

    it('keeps serving the last known state when Redis goes away, refuses changes, and catches up when it returns', async () => {
      const [a, b] = replicas as [Monolith, Monolith];
      await redis.stop();
      expect(await side(a)).toBe('orders');
      expect(await side(b)).toBe('orders');
      const refused = await admin(a, 'POST', '/routes/orders/rollback');
      expect(refused.status).toBe(503);
      expect(refused.json()).toMatchObject({ error: { code: 'FIGWAY_STATE_UNAVAILABLE' } });
      expect((await admin(b, 'GET', '/readyz')).json()).toMatchObject({ status: 'ready', store: { healthy: false } });
      await redis.restart();
      await expect.poll(async () => (await admin(a, 'POST', '/routes/orders/rollback')).status, { timeout: 5000, interval: 200 }).toBe(200);
      await expect.poll(() => side(b), { timeout: 3000, interval: 50 }).toBe('legacy');
    });
  });
});
