// The admin API end to end: its own listener, the token, the routing table, runtime rollout changes,
// kill switch, reload, explain, audit, and that nothing is half-applied.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf, figway, FigwayConfigError } from '../../src/index.js';
import { adminCall } from '../helpers/admin-client.js';
import { quietLogger, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const TOKEN = 'test-admin-token-0123456789';

const yaml = (upstream: string, percent: number, extra = '') => `
admin: { port: 0, token: ${TOKEN} }
state: { store: file, path: state.json }
reload: { watch: false }
cohorts:
  staff: { header: { x-staff: "1" } }
routes:
  - id: orders
    match: { path: /api/orders }
    upstream: ${upstream}
    rollout: { percent: ${percent}, sticky: [header:x-user-id] }
  - id: users
    match: { path: /api/users/:id }
    upstream: ${upstream}
    rewrite: { stripPrefix: /api }
${extra}`;

describe('admin API', () => {
  let dir: string;
  let file: string;
  let service: Upstream;
  let monolith: Monolith;
  let admin: string;
  const call = (method: string, path: string, body?: unknown, token: string | null = TOKEN) => adminCall(admin, token ?? undefined, method, path, body);
  const side = async (user: string) => (await request(monolith.url, '/api/orders', { headers: { 'x-user-id': user } })).json().service;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-admin-'));
    file = path.join(dir, 'figway.yaml');
    service = await startUpstream('orders');
    writeFileSync(file, yaml(service.url, 0));
    monolith = await startMonolith(express, { config: file, registry: new Registry() });
    await monolith.gateway.ready;
    admin = monolith.gateway.adminUrl as string;
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('listens on its own loopback port, not on the app\'s', async () => {
    expect(admin).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(new URL(admin).port).not.toBe(String(monolith.port));
    expect((await request(monolith.url, '/routes')).json().service).toBe('legacy');
  });

  it('refuses a missing token, a wrong token and a token in the URL', async () => {
    const missing = await call('GET', '/routes', undefined, null);
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    expect(missing.json()).toMatchObject({ error: { code: 'FIGWAY_ADMIN_UNAUTHORIZED' } });
    expect((await call('GET', '/routes', undefined, 'wrong-token-wrong-token')).status).toBe(401);
    const inUrl = await call('GET', `/routes?token=${TOKEN}`, undefined, null);
    expect(inUrl.status).toBe(401);
    expect(inUrl.json()).toMatchObject({ error: { message: expect.stringContaining('not accepted in the URL') } });
    expect((await call('GET', `/routes?access_token=${TOKEN}`)).status).toBe(401);
  });

  it('answers the probes without a token', async () => {
    expect((await call('GET', '/healthz', undefined, null)).json()).toEqual({ status: 'ok' });
    const ready = await call('GET', '/readyz', undefined, null);
    expect(ready.status).toBe(200);
    expect(ready.json()).toMatchObject({ status: 'ready', store: { description: `file:${path.join(dir, 'state.json')}`, healthy: true } });
  });

  it('lists the whole routing table with effective config, for a program to audit', async () => {
    const table = (await call('GET', '/routes')).json<{ killSwitch: boolean; routes: Record<string, unknown>[] }>();
    expect(table.killSwitch).toBe(false);
    expect(table.routes.map((r) => r.id)).toEqual(['orders', 'users']);
    expect(table.routes[1]).toMatchObject({
      id: 'users',
      match: { path: '/api/users/:id' },
      upstream: { name: new URL(service.url).host, url: `${service.url}/` },
      rewrite: { stripPrefix: '/api' },
      timeouts: { connect: 2000, response: 30000, idle: 60000 },
      rollout: { percent: 100, sticky: ['user', 'ip'], unkeyed: 'legacy', source: 'file', killed: false },
      override: null,
    });
    expect((await call('GET', '/routes/orders')).json()).toMatchObject({ id: 'orders', rollout: { percent: 0 } });
    expect((await call('GET', '/routes/nope')).status).toBe(404);
  });

  it('changes a rollout at runtime; requests follow at once, and the audit log says who and what', async () => {
    const alice = 'alice'; // bucket 1609 on orders
    expect(bucketOf('orders', alice)).toBe(1609);
    expect(await side(alice)).toBe('legacy');
    const changed = await call('PUT', '/routes/orders/rollout', { percent: 25 });
    expect(changed.status).toBe(200);
    expect(changed.json()).toMatchObject({ rollout: { percent: 25, source: 'runtime' }, fileRollout: { percent: 0 }, override: { percent: 25 } });
    expect(await side(alice)).toBe('orders');
    const [entry] = (await call('GET', '/audit?limit=1')).json<{ entries: Record<string, unknown>[] }>().entries;
    expect(entry).toMatchObject({ actor: 'admin', note: 'test-ops', action: 'rollout', route: 'orders', before: { percent: 0 }, after: { percent: 25 } });
  });

  it('refuses invalid changes with the reason and changes nothing', async () => {
    const before = (await call('GET', '/routes')).json<{ stateRevision: number }>().stateRevision;
    for (const [body, reason] of [
      [{ percent: 150 }, 'percent must be <= 100'],
      [{ percent: 12.345 }, 'multiple of 0.01'],
      [{ pecent: 5 }, 'unknown field (did you mean "percent"?)'],
      [{ cohorts: { interns: 'service' } }, 'unknown cohort "interns"'],
      [{}, 'must NOT have fewer than 1 properties'],
      ['{"percent": ', 'not valid JSON'],
    ] as const) {
      const reply = await call('PUT', '/routes/orders/rollout', body);
      expect(reply.status, JSON.stringify(body)).toBe(400);
      expect(reply.json()).toMatchObject({ error: { code: 'FIGWAY_ADMIN_BAD_REQUEST', message: expect.stringContaining(reason) } });
    }
    expect((await call('PUT', '/routes/nope/rollout', { percent: 5 })).status).toBe(404);
    for (const [reason, message] of [
      ['two%0Alines', 'X-Figway-Reason must be 1 to 500 characters on one line, without control or format characters'],
      ['reads%20%E2%80%AEbackwards', 'X-Figway-Reason must be 1 to 500 characters on one line, without control or format characters'],
      ['x'.repeat(501), 'X-Figway-Reason must be 1 to 500 characters on one line, without control or format characters'],
      ['5% errors', 'X-Figway-Reason must be URI-encoded (encodeURIComponent): a "%" not followed by two hex digits is not'],
    ]) {
      const reply = await adminCall(admin, TOKEN, 'PUT', '/routes/orders/rollout', { percent: 5 }, { 'x-figway-reason': reason as string });
      expect(reply.json(), reason).toMatchObject({ error: { code: 'FIGWAY_ADMIN_BAD_REQUEST', message } });
    }
    expect((await call('GET', '/routes')).json<{ stateRevision: number }>().stateRevision).toBe(before);
  });

  it('rolls back to 0 and clears runtime changes back to the file', async () => {
    await call('PUT', '/routes/orders/rollout', { percent: 100 });
    expect((await call('POST', '/routes/orders/rollback')).json()).toMatchObject({ rollout: { percent: 0, source: 'runtime' } });
    expect(await side('alice')).toBe('legacy');
    expect((await call('DELETE', '/routes/orders/rollout')).json()).toMatchObject({ rollout: { percent: 0, source: 'file' }, override: null });
  });

  it('kill switch: every route to legacy at once, and back', async () => {
    expect((await request(monolith.url, '/api/users/3')).json().service).toBe('orders');
    expect((await call('POST', '/kill-switch')).json()).toEqual({ on: true });
    expect((await request(monolith.url, '/api/users/3')).json().service).toBe('legacy');
    expect((await call('GET', '/explain?path=/api/users/3')).json()).toMatchObject({ decision: { side: 'legacy', reason: 'kill-switch' } });
    expect((await call('GET', '/kill-switch')).json()).toEqual({ on: true });
    expect((await call('POST', '/kill-switch', { on: false })).json()).toEqual({ on: false });
    expect((await request(monolith.url, '/api/users/3')).json().service).toBe('orders');
  });

  it('explains what it would do with a simulated request', async () => {
    await call('PUT', '/routes/orders/rollout', { percent: 50 });
    const reply = await call('GET', `/explain?method=GET&path=${encodeURIComponent('/api/orders/7?x=1')}&header=x-user-id:alice`);
    expect(reply.json()).toEqual({
      matched: true,
      route: 'orders',
      path: '/api/orders/7',
      upstream: { name: new URL(service.url).host, url: `${service.url}/` },
      upstreamPath: '/api/orders/7?x=1',
      decision: { routeId: 'orders', side: 'service', reason: 'bucket', percent: 50, bucket: 1609, stickyKey: 'header:x-user-id' },
      sticky: ['header:x-user-id'],
    });
    await call('PUT', '/routes/orders/rollout', { cohorts: { staff: 'service' } });
    expect((await call('GET', '/explain?path=/api/orders&header=x-staff:1')).json()).toMatchObject({ decision: { side: 'service', reason: 'cohort', cohort: 'staff' } });
    expect((await call('GET', '/explain?path=/home')).json()).toEqual({ matched: false });
    expect((await call('GET', `/explain?path=${encodeURIComponent('/api%2Forders')}`)).json()).toEqual({ matched: false, refused: 'encoded slash in path' });
    expect((await call('GET', '/explain')).status).toBe(400);
  });

  it('reloads the file on request; an invalid file is refused with line numbers and the old config keeps serving', async () => {
    writeFileSync(file, yaml(service.url, 0, '  - id: extra\n    match: { path: /api/extra }\n    upstream: ' + service.url + '\n'));
    const reloaded = await call('POST', '/reload');
    expect(reloaded.status).toBe(200);
    expect((await request(monolith.url, '/api/extra')).json().service).toBe('orders');
    expect((await call('GET', '/audit?limit=1')).json<{ entries: { action: string }[] }>().entries.map((e) => e.action)).toEqual(['reload']);
    writeFileSync(file, yaml(service.url, 0, '  - id: broken\n    match: { path: nope }\n    upstream: ' + service.url + '\n'));
    try {
      const refused = await call('POST', '/reload');
      expect(refused.status).toBe(400);
      expect(refused.json()).toMatchObject({ error: { code: 'FIGWAY_CONFIG_INVALID', details: [{ file, line: 17, path: 'routes[2].match.path', message: 'must start with "/"' }] } });
      expect((await request(monolith.url, '/api/extra')).json().service).toBe('orders');
    } finally {
      writeFileSync(file, yaml(service.url, 0));
      expect((await call('POST', '/reload')).status).toBe(200);
    }
  });

  it('serves metrics and an OpenAPI document describing every endpoint', async () => {
    const metrics = await call('GET', '/metrics');
    expect(metrics.headers['content-type']).toMatch(/^text\/plain/);
    expect(metrics.body).toContain('figway_rollout_percent{route="orders"} 50');
    const openapi = (await call('GET', '/openapi.json')).json<{ openapi: string; paths: Record<string, Record<string, { responses: { '200': { content: object } } }>> }>();
    expect(openapi.openapi).toBe('3.1.0');
    const mediaTypes = (p: string) => Object.keys(openapi.paths[p]?.get?.responses['200'].content ?? {});
    expect(mediaTypes('/metrics')).toEqual(['text/plain']);
    expect(mediaTypes('/')).toEqual(['text/html']);
    expect(mediaTypes('/routes')).toEqual(['application/json']);
    const operations = Object.entries(openapi.paths).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p}`));
    for (const operation of ['GET /routes', 'GET /routes/{id}', 'PUT /routes/{id}/rollout', 'POST /routes/{id}/rollback', 'POST /kill-switch', 'POST /reload', 'GET /explain', 'GET /audit', 'GET /stats', 'GET /healthz', 'GET /readyz', 'GET /metrics']) {
      expect(operations).toContain(operation);
    }
  });

  it('serves in-process figures per route, service and legacy side by side', async () => {
    await call('PUT', '/routes/orders/rollout', { percent: 100 });
    for (let i = 0; i < 3; i++) await side('alice');
    await call('POST', '/routes/orders/rollback');
    await side('alice');
    const stats = (await call('GET', '/stats')).json<{ windowSeconds: number; routes: { id: string; service: { requests: number; p99: number }; legacy: { requests: number }; strangled: number }[] }>();
    expect(stats.windowSeconds).toBe(60);
    const orders = stats.routes.find((r) => r.id === 'orders');
    expect(orders?.service.requests).toBeGreaterThanOrEqual(3);
    expect(orders?.legacy.requests).toBeGreaterThanOrEqual(1);
    expect(orders?.service.p99).toBeGreaterThan(0);
    expect(orders?.strangled).toBeGreaterThan(0);
    expect(orders?.strangled).toBeLessThan(1);
  });

  it('keeps runtime changes across a restart (the state file)', async () => {
    await call('PUT', '/routes/orders/rollout', { percent: 33.33 });
    const restarted = figway({ config: file, logger: quietLogger, registry: new Registry() });
    expect(restarted.current.config.routes[0]?.rollout?.percent).toBe(0);
    const route = (restarted.current as unknown as { routes: { id: string; info: { config: { rollout: { percent: number } } } }[] }).routes[0];
    expect(route?.info.config.rollout.percent).toBe(33.33);
    await restarted.ready.catch(() => {});
    await restarted.close();
    expect(JSON.parse(readFileSync(path.join(dir, 'state.json'), 'utf8')).state.routes.orders).toMatchObject({ percent: 33.33 });
  });
});

describe('admin API set-up', () => {
  it('refuses at start-up to listen beyond loopback without a token', () => {
    const config = { admin: { port: 0, host: '0.0.0.0' }, routes: [] };
    expect(() => figway({ config, logger: quietLogger })).toThrow(FigwayConfigError);
    expect(() => figway({ config, logger: quietLogger })).toThrow(/admin.token  is required \(or admin.tokens\): the admin API would listen on 0.0.0.0 without one/);
  });
});
