// Two figway instances (two replicas of the monolith) sharing a real redis-server: a runtime change
// on one is live on the other within a second, and a Redis outage breaks neither.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Registry } from 'prom-client';
import { createClient } from 'redis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminCall } from '../helpers/admin-client.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { REDIS_MISSING, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import type { FigwayConfig, FigwayOptions, RouteConfig } from '../../src/types.js';

describe.skipIf(REDIS_MISSING !== undefined)(REDIS_MISSING ?? 'with a real redis-server', () => {
  const TOKEN = 'replica-admin-token-0123456789';

  /** Replicas a and b of one monolith, each with its admin API and the state settings `stateOf(name)` gives. */
  async function startReplicas(stateOf: (name: string) => NonNullable<FigwayConfig['state']>, routes: RouteConfig[], options: Partial<FigwayOptions> = {}): Promise<Monolith[]> {
    const started: Monolith[] = [];
    for (const name of ['a', 'b']) {
      const replica = await startMonolith(express, { registry: new Registry(), ...options, config: { admin: { port: 0, token: TOKEN }, state: stateOf(name), routes } });
      await replica.gateway.ready;
      started.push(replica);
    }
    return started;
  }

  describe('two replicas sharing Redis', () => {
    let dir: string;
    let redis: RedisServer;
    let service: Upstream;
    const replicas: Monolith[] = [];

    beforeAll(async () => {
      dir = mkdtempSync(path.join(tmpdir(), 'figway-replicas-'));
      redis = await startRedisServer({ dir });
      service = await startUpstream('orders');
      replicas.push(
        ...(await startReplicas(
          (name) => ({ store: 'redis', url: redis.url, prefix: 'shop', cacheFile: path.join(dir, `cache-${name}.json`) }),
          [{ id: 'orders', match: { path: '/api/orders' }, upstream: service.url, rollout: { percent: 0 } }],
        )),
      );
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

  describe('a change has one true outcome, on every replica', () => {
    let redis: RedisServer;
    let service: Upstream;
    const replicas: Monolith[] = [];

    beforeAll(async () => {
      redis = await startRedisServer();
      service = await startUpstream('orders');
      replicas.push(
        ...(await startReplicas(
          () => ({ store: 'redis', url: redis.url, prefix: 'truth' }),
          [
            { id: 'orders', match: { path: '/api/orders' }, upstream: service.url, rollout: { percent: 10 } },
            { id: 'steps', match: { path: '/api/steps' }, upstream: service.url, rollout: { steps: [10, 50, 100], minStepTime: '1h', minStepRequests: 0, guard: false } },
          ],
          // No progressive checks: only the changes the tests make go to Redis, in the order they make them.
          { checkInterval: 0 },
        )),
      );
    });
    afterAll(async () => {
      for (const replica of replicas) await replica.close();
      await service.close();
      await redis.stop();
    });

    const admin = (replica: Monolith, method: string, p: string, body?: unknown, key?: string) =>
      adminCall(replica.gateway.adminUrl as string, TOKEN, method, p, body, key === undefined ? {} : { 'idempotency-key': key });
    const percentOn = async (replica: Monolith, route: string) => (await admin(replica, 'GET', `/routes/${route}`)).json<{ rollout: { percent: number } }>().rollout.percent;
    const auditOf = async (key: string) => (await admin(replicas[0] as Monolith, 'GET', `/audit?change=${key}`)).json<{ entries: unknown[] }>().entries;
    const redisCommand = async (...args: string[]) => {
      const client = createClient({ url: redis.url });
      client.on('error', () => {});
      await client.connect();
      try {
        return await client.sendCommand(args);
      } finally {
        client.destroy();
      }
    };
    /** Both replicas, a second after Redis came back (what a late write would have published by then). */
    const settledPercents = async (route: string) => {
      await new Promise((resolve) => setTimeout(resolve, 1000));
      return [await percentOn(replicas[0] as Monolith, route), await percentOn(replicas[1] as Monolith, route)];
    };

    it('answers 503 to a change Redis holds past its deadline (CLIENT PAUSE WRITE), and Redis then refuses it', async () => {
      const [a] = replicas as [Monolith, Monolith];
      await redisCommand('CLIENT', 'PAUSE', '3500', 'WRITE');
      const answer = await admin(a, 'PUT', '/routes/orders/rollout', { percent: 40 }, 'paused-change');
      expect(answer.status).toBe(503);
      expect(answer.json()).toMatchObject({ error: { code: 'FIGWAY_STATE_UNAVAILABLE' } });
      // The pause ends 3.5 s after it began; the held script then runs, past its deadline.
      await new Promise((resolve) => setTimeout(resolve, 2000));
      expect(await settledPercents('orders')).toEqual([10, 10]);
      expect(await auditOf('paused-change')).toEqual([]);
    });

    it('answers 504 with the change id when Redis cannot say (held, then frozen); the audit tells later, and a retry with the key applies it once', async () => {
      const [a, b] = replicas as [Monolith, Monolith];
      await redisCommand('CLIENT', 'PAUSE', '3000', 'WRITE');
      const pending = admin(a, 'PUT', '/routes/orders/rollout', { percent: 60 }, 'frozen-change');
      // The change is read and sent, and held by the pause; then Redis freezes, so nothing can be read back.
      await new Promise((resolve) => setTimeout(resolve, 300));
      redis.signal('SIGSTOP');
      let answer;
      try {
        answer = await pending;
      } finally {
        redis.signal('SIGCONT');
      }
      expect(answer.status).toBe(504);
      expect(answer.json()).toMatchObject({ error: { code: 'FIGWAY_STATE_OUTCOME_UNKNOWN', details: { change: 'frozen-change' } } });
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(await settledPercents('orders')).toEqual([10, 10]);
      expect(await auditOf('frozen-change')).toEqual([]);

      const retried = await admin(b, 'PUT', '/routes/orders/rollout', { percent: 60 }, 'frozen-change');
      expect(retried.status).toBe(200);
      expect((await admin(a, 'PUT', '/routes/orders/rollout', { percent: 60 }, 'frozen-change')).status).toBe(200);
      expect(await auditOf('frozen-change')).toHaveLength(1);
      await expect.poll(() => percentOn(a, 'orders')).toBe(60);
    });

    it('takes one progressive step for a promote sent twice with the same key, from either replica', async () => {
      const [a, b] = replicas as [Monolith, Monolith];
      expect(await percentOn(a, 'steps')).toBe(10);
      expect((await admin(a, 'POST', '/routes/steps/progressive/promote', undefined, 'promote-once')).status).toBe(200);
      expect((await admin(b, 'POST', '/routes/steps/progressive/promote', undefined, 'promote-once')).status).toBe(200);
      expect(await settledPercents('steps')).toEqual([50, 50]);
      expect(await auditOf('promote-once')).toHaveLength(1);
      expect((await admin(b, 'POST', '/routes/steps/progressive/promote', undefined, 'promote-again')).status).toBe(200);
      expect(await settledPercents('steps')).toEqual([100, 100]);
    });

    it('refuses a change while Redis restarts, and the restarted Redis never applies it', async () => {
      const [a] = replicas as [Monolith, Monolith];
      await redis.stop();
      const answer = await admin(a, 'PUT', '/routes/orders/rollout', { percent: 70 }, 'restart-change');
      expect(answer.status).toBe(503);
      await redis.restart();
      await expect.poll(async () => (await admin(a, 'GET', '/readyz')).json<{ store?: { healthy: boolean } }>().store?.healthy, { timeout: 5000 }).toBe(true);
      expect(await settledPercents('orders')).toEqual([60, 60]);
      expect(await auditOf('restart-change')).toEqual([]);
    });

    it('refuses a malformed Idempotency-Key', async () => {
      const answer = await admin(replicas[0] as Monolith, 'PUT', '/routes/orders/rollout', { percent: 20 }, 'has space');
      expect(answer.status).toBe(400);
      expect(answer.json()).toMatchObject({ error: { code: 'FIGWAY_ADMIN_BAD_REQUEST' } });
    });
  });
});
