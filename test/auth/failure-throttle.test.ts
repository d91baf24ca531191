// Failed authentications are throttled per client address (PITFALLS 20): past the budget a client
// gets 429 without its credentials being checked, other clients are not slowed, and with Redis the
// replicas add their counts up.
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { FigwayConfig } from '../../src/types.js';
import { GATEWAY_MODES, startMonolith, type Monolith } from '../helpers/monolith.js';
import { REDIS_MISSING, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { request, type Reply } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const KEY = 'partner-key-0123456789abcdef';
const WRONG = 'wrong-key-0123456789abcdefgh';
const ATTACKER = '203.0.113.66';
const PARTNER = '198.51.100.7';

describe.each(GATEWAY_MODES)('failed authentication throttle (%s mode)', (mode) => {
  let service: Upstream;
  let redis: RedisServer | undefined;
  const started: { monolith: Monolith; registry: Registry }[] = [];

  beforeAll(async () => {
    service = await startUpstream('partner-api');
    if (REDIS_MISSING === undefined) redis = await startRedisServer();
  });
  afterEach(async () => {
    await Promise.all(started.splice(0).map(({ monolith }) => monolith.close()));
  });
  afterAll(async () => {
    await service.close();
    await redis?.stop();
  });

  let prefixes = 0;
  const config = (throttle: NonNullable<FigwayConfig['auth']>['throttle'], extra: Partial<FigwayConfig> = {}): FigwayConfig => ({
    auth: { default: 'required', sources: ['apiKey'], apiKeys: { header: 'x-api-key', keys: [{ id: 'partner', key: KEY }] }, ...(throttle === undefined ? {} : { throttle }) },
    routes: [{ id: 'partner', match: { path: '/api/partner' }, upstream: service.url }],
    ...extra,
  });
  async function start(figwayConfig: FigwayConfig): Promise<{ monolith: Monolith; registry: Registry }> {
    const registry = new Registry();
    // Behind a trusted proxy on loopback, so each test client has an address of its own.
    const monolith = await startMonolith(express, { config: figwayConfig, registry }, { mode, settings: { 'trust proxy': 'loopback' } });
    started.push({ monolith, registry });
    return { monolith, registry };
  }
  const call = (monolith: Monolith, from: string, key: string): Promise<Reply> =>
    request(monolith.url, '/api/partner', { headers: { 'x-forwarded-for': from, 'x-api-key': key } });
  const failures = async (registry: Registry) =>
    Object.fromEntries((await registry.getSingleMetric('figway_auth_failures_total')!.get()).values.map((v) => [v.labels.outcome, v.value]));

  it('refuses a client past its failures with 429 and Retry-After, without checking its credentials, and counts both outcomes', async () => {
    const { monolith, registry } = await start(config({ failures: 3, window: '1m' }));
    const wrong = [await call(monolith, ATTACKER, WRONG), await call(monolith, ATTACKER, WRONG), await call(monolith, ATTACKER, WRONG)];
    expect(wrong.map((reply) => reply.status)).toEqual([401, 401, 401]);
    const before = service.received.length;
    // The right key now: refused all the same, so the refusal says nothing about the guess.
    const throttled = await call(monolith, ATTACKER, KEY);
    expect(throttled.status).toBe(429);
    expect(throttled.json()).toMatchObject({ error: { code: 'FIGWAY_AUTH_THROTTLED', status: 429 } });
    expect(Number(throttled.headers['retry-after'])).toBeGreaterThan(50);
    expect(Number(throttled.headers['retry-after'])).toBeLessThanOrEqual(60);
    expect(service.received.length).toBe(before);
    expect(await failures(registry)).toEqual({ invalid: 3, throttled: 1 });
  });

  it("does not slow a client with valid credentials for someone else's failures from another address", async () => {
    const { monolith } = await start(config({ failures: 2, window: '1m' }));
    for (let i = 0; i < 4; i++) await call(monolith, ATTACKER, WRONG);
    expect((await call(monolith, ATTACKER, WRONG)).status).toBe(429);
    const partner = await call(monolith, PARTNER, KEY);
    expect(partner.status).toBe(200);
    expect(partner.json()).toMatchObject({ service: 'partner-api' });
  });

  it('lets a client try again once the window is over', async () => {
    const { monolith } = await start(config({ failures: 2, window: '1s' }));
    await call(monolith, ATTACKER, WRONG);
    await call(monolith, ATTACKER, WRONG);
    expect((await call(monolith, ATTACKER, KEY)).status).toBe(429);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await call(monolith, ATTACKER, KEY)).status).toBe(200);
  });

  it('is on by default (20 failures a minute) and off with throttle: false', async () => {
    const { monolith: byDefault } = await start(config(undefined));
    const replies: number[] = [];
    for (let i = 0; i < 21; i++) replies.push((await call(byDefault, ATTACKER, WRONG)).status);
    expect(replies.slice(0, 20).every((status) => status === 401)).toBe(true);
    expect(replies[20]).toBe(429);
    const { monolith: off } = await start(config(false));
    for (let i = 0; i < 25; i++) expect((await call(off, ATTACKER, WRONG)).status).toBe(401);
    expect((await call(off, ATTACKER, KEY)).status).toBe(200);
  });

  it.skipIf(REDIS_MISSING !== undefined)('adds up the failures seen by replicas sharing the limits Redis store', async () => {
    const shared = config({ failures: 3, window: '1m' }, { limits: { store: 'redis', onStoreError: 'closed', redis: { url: (redis as RedisServer).url, prefix: `throttle${(prefixes += 1)}:rl` } } });
    const { monolith: a } = await start(shared);
    const { monolith: b } = await start(shared);
    expect((await call(a, ATTACKER, WRONG)).status).toBe(401);
    expect((await call(a, ATTACKER, WRONG)).status).toBe(401);
    // The third failure, on the other replica, crosses the shared budget there.
    expect((await call(b, ATTACKER, WRONG)).status).toBe(401);
    expect((await call(b, ATTACKER, KEY)).status).toBe(429);
  });
});
