// The migration map end to end: a real Express monolith with figway mounted, GET /map, the retire
// rule across a restart (file store) and across two replicas (real Redis), and map.countLegacy.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Express } from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MapAnswer } from '../../src/map/map-schema.js';
import { adminCall } from '../helpers/admin-client.js';
import { EXPRESS_VERSIONS, type ExpressFactory } from '../helpers/express-versions.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { captureLogs, type CapturedLogs } from '../helpers/log-capture.js';
import { REDIS_MISSING, startRedisServer, type RedisServer } from '../helpers/redis-server.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const DAY = 86_400_000;
const T0 = Date.parse('2026-11-01T09:00:00Z');

/** The legacy endpoints: orders (peeled off at 40%), the cart router (at 100%), account and reports (no route). */
function legacyRoutes(express: ExpressFactory) {
  return (app: Express) => {
    const legacy = (name: string) => (_req: unknown, res: { json(body: unknown): void }) => res.json({ service: 'legacy', name });
    app.get('/api/orders/:id', legacy('order'));
    app.post('/api/orders', legacy('create-order'));
    const cart = express.Router();
    cart.route('/').get(legacy('cart')).put(legacy('put-cart'));
    cart.delete('/items/:item', legacy('remove-item'));
    app.use('/api/cart', cart);
    app.get('/account', legacy('account'));
    app.get('/reports/:year', legacy('report'));
  };
}

const config = (dir: string, upstream: string, extra = '') => `
admin: { port: 0 }
reload: { watch: false }
state: { store: file, path: ${path.join(dir, 'state.json')} }
cohorts:
  staff: { header: { x-staff: "1" } }
routes:
  - id: orders
    match: { path: /api/orders }
    upstream: ${upstream}
    rollout: { percent: 40, sticky: [header:x-user-id] }
  - id: cart
    match: { path: /api/cart }
    upstream: ${upstream}
    rollout: { percent: 100, cohorts: { staff: legacy } }
  - id: search
    match: { path: /api/search }
    upstream: ${upstream}
${extra}`;

describe.each(EXPRESS_VERSIONS)('migration map, %s', (_label, express) => {
  let dir: string;
  let service: Upstream;
  let clock = T0;
  const monoliths: Monolith[] = [];

  const start = async (yaml: string, registry = new Registry()) => {
    const file = path.join(dir, 'figway.yaml');
    writeFileSync(file, yaml);
    const monolith = await startMonolith(express, { config: file, registry, now: () => clock }, { after: legacyRoutes(express) });
    await monolith.gateway.ready;
    monoliths.push(monolith);
    return monolith;
  };
  const mapOf = async (monolith: Monolith): Promise<MapAnswer> => {
    const reply = await adminCall(monolith.gateway.adminUrl as string, undefined, 'GET', '/map');
    expect(reply.status).toBe(200);
    return reply.json() as MapAnswer;
  };
  const endpoint = (map: MapAnswer, method: string, path: string) => map.endpoints.find((e) => e.method === method && e.path === path);

  beforeAll(async () => {
    service = await startUpstream('svc');
  });
  afterAll(async () => {
    for (const monolith of monoliths) await monolith.close();
    await service.close();
  });

  it('lists every endpoint of the monolith with its route, state and why, the new routes and the areas', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-map-'));
    clock = T0;
    const monolith = await start(config(dir, service.url));
    // Routes added after figway (and after the first map) are read on every map.
    monolith.app.get('/api/late', (_req, res) => res.json({ late: true }));
    for (let user = 0; user < 20; user += 1) await request(monolith.url, '/api/orders/7', { headers: { 'x-user-id': `u${user}` } });
    const map = await mapOf(monolith);
    expect(map.monolith).toBe('express');
    // figway is mounted as a sub-app (app.use(figway(...))); it is not one of the monolith's.
    expect(map.hidden).toEqual([]);
    expect(map.endpoints.map((e) => `${e.method} ${e.path}`)).toEqual([
      'GET /api/orders/:id',
      'POST /api/orders',
      'GET /api/cart',
      'PUT /api/cart',
      'DELETE /api/cart/items/:item',
      'GET /account',
      'GET /reports/:year',
      'GET /api/late',
    ]);
    expect(endpoint(map, 'GET', '/api/orders/:id')).toMatchObject({ route: 'orders', percent: 40, state: 'rolling-out', why: ['still at 40%'], area: 'api' });
    const served = endpoint(map, 'GET', '/api/orders/:id')?.served;
    expect((served?.service ?? 0) + (served?.legacy ?? 0)).toBe(20);
    expect(served?.service).toBeGreaterThan(0);
    expect(served?.legacy).toBeGreaterThan(0);
    expect(endpoint(map, 'DELETE', '/api/cart/items/:item')).toMatchObject({ route: 'cart', percent: 100, state: 'at-100', fullSince: new Date(T0).toISOString(), why: ['at 100% for 0 minutes of 14 days'] });
    expect(endpoint(map, 'GET', '/account')).toMatchObject({ state: 'legacy-only', why: ['no route covers it'], served: {} });
    expect(endpoint(map, 'GET', '/account')?.route).toBeUndefined();
    expect(map.newRoutes).toEqual([{ route: 'search', path: '/api/search', percent: 100, served: { service: 0, legacy: 0 } }]);
    const whole = map.areas[0];
    expect(whole).toMatchObject({ area: '*', endpoints: { 'legacy-only': 3, 'rolling-out': 2, 'at-100': 3, 'ready-to-retire': 0 } });
    expect(whole?.strangled).toBeCloseTo((served?.service ?? 0) / 20);
    expect(map.areas.map((a) => a.area)).toEqual(['*', 'account', 'api', 'reports']);
    expect(map.history).toBe('ok');
    await monolith.close();
    monoliths.splice(monoliths.indexOf(monolith), 1);
  });

  it('says an endpoint is ready to retire after map.retireAfter at 100%, counted across a restart, and not while legacy still serves it', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-map-'));
    clock = T0;
    const first = await start(config(dir, service.url, 'map: { retireAfter: 7d }'));
    expect(endpoint(await mapOf(first), 'GET', '/api/cart')).toMatchObject({ state: 'at-100', fullSince: new Date(T0).toISOString() });
    await first.close();
    monoliths.splice(monoliths.indexOf(first), 1);

    // A restart three days later: the time at 100% is the store's, not the process's.
    clock = T0 + 3 * DAY;
    const second = await start(config(dir, service.url, 'map: { retireAfter: 7d }'));
    expect(endpoint(await mapOf(second), 'GET', '/api/cart')).toMatchObject({ state: 'at-100', fullSince: new Date(T0).toISOString(), why: ['at 100% for 3 days of 7 days'] });
    // Staff are still sent to legacy: the clean week starts again from that request.
    clock = T0 + 4 * DAY;
    expect((await request(second.url, '/api/cart', { headers: { 'x-staff': '1' } })).json()).toMatchObject({ service: 'legacy' });
    clock = T0 + 8 * DAY;
    const stillUsed = endpoint(await mapOf(second), 'GET', '/api/cart');
    expect(stillUsed).toMatchObject({ state: 'at-100', legacyLast: new Date(T0 + 4 * DAY).toISOString() });
    expect(stillUsed?.why).toEqual(['legacy served 1 request on 2026-11-05 via cohort', 'at 100% with no legacy request for 4 days of 7 days']);
    clock = T0 + 11 * DAY;
    const ready = await mapOf(second);
    expect(endpoint(ready, 'GET', '/api/cart')).toMatchObject({ state: 'ready-to-retire', why: [] });
    expect(endpoint(ready, 'DELETE', '/api/cart/items/:item')).toMatchObject({ state: 'ready-to-retire' });
    expect(endpoint(ready, 'GET', '/api/orders/:id')?.state).toBe('rolling-out');

    // The kill switch is not 100%: switching it on forgets the time at 100%.
    expect((await adminCall(second.gateway.adminUrl as string, undefined, 'POST', '/kill-switch', { on: true })).status).toBe(200);
    expect(endpoint(await mapOf(second), 'GET', '/api/cart')).toMatchObject({ state: 'legacy-only', why: ['the kill switch is on'] });
    expect((await adminCall(second.gateway.adminUrl as string, undefined, 'POST', '/kill-switch', { on: false })).status).toBe(200);
    expect(endpoint(await mapOf(second), 'GET', '/api/cart')).toMatchObject({ state: 'at-100', fullSince: new Date(T0 + 11 * DAY).toISOString() });
  });

  it('counts requests per uncovered endpoint by its route pattern with map.countLegacy', async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-map-'));
    clock = T0;
    const registry = new Registry();
    const monolith = await start(config(dir, service.url, 'map: { countLegacy: true }'), registry);
    for (const year of ['2024', '2025', '2026']) await request(monolith.url, `/reports/${year}`);
    await request(monolith.url, '/account');
    await request(monolith.url, '/nowhere');
    const map = await mapOf(monolith);
    expect(map.countLegacy).toBe(true);
    expect(endpoint(map, 'GET', '/reports/:year')?.served).toEqual({ legacy: 3 });
    expect(endpoint(map, 'GET', '/account')?.served).toEqual({ legacy: 1 });
    const text = await registry.metrics();
    expect(text).toContain('figway_monolith_requests_total{method="GET",path="/reports/:year"} 3');
    expect(text).not.toContain('/reports/2024');
    expect(text).toMatch(/figway_migration_endpoints\{state="legacy-only"\} 2/);
  });
});

describe.skipIf(REDIS_MISSING !== undefined)(REDIS_MISSING ?? 'migration map across two replicas (real Redis)', () => {
  const [, express] = EXPRESS_VERSIONS[1] as [string, ExpressFactory];
  let redis: RedisServer;
  let service: Upstream;
  let dir: string;
  let clock = T0;
  const replicas: Monolith[] = [];

  beforeAll(async () => {
    redis = await startRedisServer();
    service = await startUpstream('svc');
    dir = mkdtempSync(path.join(tmpdir(), 'figway-map-redis-'));
  });
  afterAll(async () => {
    for (const replica of replicas) await replica.close();
    await service.close();
    await redis?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const replica = async (name: string, { logs, prefix = 'map-test' }: { logs?: CapturedLogs; prefix?: string } = {}) => {
    const file = path.join(dir, `${name}.yaml`);
    writeFileSync(file, config(dir, service.url, 'map: { retireAfter: 7d }').replace(/state: .*/, `state: { store: redis, url: ${redis.url}, prefix: ${prefix} }`));
    const monolith = await startMonolith(express, { config: file, registry: new Registry(), now: () => clock, ...(logs ? { logger: logs.logger } : {}) }, { after: legacyRoutes(express) });
    await monolith.gateway.ready;
    replicas.push(monolith);
    return monolith;
  };
  const cartOf = async (monolith: Monolith) => ((await adminCall(monolith.gateway.adminUrl as string, undefined, 'GET', '/map')).json() as MapAnswer).endpoints.find((e) => e.method === 'GET' && e.path === '/api/cart');

  it("keeps the first replica's time at 100% and counts what legacy served on any replica", async () => {
    clock = T0;
    const a = await replica('a');
    expect(await cartOf(a)).toMatchObject({ state: 'at-100', fullSince: new Date(T0).toISOString() });
    clock = T0 + 2 * DAY;
    const b = await replica('b');
    expect(await cartOf(b)).toMatchObject({ fullSince: new Date(T0).toISOString(), why: ['at 100% for 2 days of 7 days'] });
    // Legacy serves a staff request on replica a; replica b's map says so once a has written it.
    clock = T0 + 3 * DAY;
    await request(a.url, '/api/cart', { headers: { 'x-staff': '1' } });
    await cartOf(a);
    clock = T0 + 8 * DAY;
    expect(await cartOf(b)).toMatchObject({ state: 'at-100', legacyLast: new Date(T0 + 3 * DAY).toISOString(), why: ['legacy served 1 request on 2026-11-04 via cohort', 'at 100% with no legacy request for 5 days of 7 days'] });
    clock = T0 + 10 * DAY;
    expect(await cartOf(b)).toMatchObject({ state: 'ready-to-retire', why: [] });
    expect(await cartOf(a)).toMatchObject({ state: 'ready-to-retire', why: [] });
  });

  it('says the history is unavailable while Redis is away, keeps what legacy served meanwhile, and writes it all again to a Redis that came back empty', async () => {
    const logs = captureLogs();
    clock = T0;
    const c = await replica('c', { logs, prefix: 'map-outage' });
    expect(await cartOf(c)).toMatchObject({ state: 'at-100', fullSince: new Date(T0).toISOString() });
    clock = T0 + 20 * DAY;
    expect(await cartOf(c)).toMatchObject({ state: 'ready-to-retire' });
    await redis.stop();
    clock = T0 + 21 * DAY;
    await request(c.url, '/api/cart', { headers: { 'x-staff': '1' } });
    const reply = await adminCall(c.gateway.adminUrl as string, undefined, 'GET', '/map');
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ history: 'unavailable' });
    expect(await cartOf(c)).toMatchObject({ state: 'at-100', why: ["the state store's history is unavailable"] });
    expect(logs.lines.filter((line) => line.code === 'FIGWAY_MAP_HISTORY_UNWRITTEN')).toHaveLength(1);
    await redis.restart();
    // This Redis keeps nothing across a restart: the routes at 100% are marked again (the time at 100%
    // starts over, nothing else could say it), and the staff request served meanwhile is written.
    await expect.poll(async () => (await cartOf(c))?.legacyLast, { timeout: 10_000, interval: 200 }).toBe(new Date(T0 + 21 * DAY).toISOString());
    expect(await cartOf(c)).toMatchObject({
      state: 'at-100',
      fullSince: new Date(T0 + 21 * DAY).toISOString(),
      why: ['legacy served 1 request today via cohort', 'at 100% with no legacy request for 0 minutes of 7 days'],
    });
  });
});
