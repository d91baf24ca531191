// The admin API is the one place that changes where traffic goes (PITFALLS 20): every endpoint
// but the probes and the static page refuses a caller without exactly the right bearer token, or
// with a token whose role is below the endpoint's; a refused call changes nothing, and figway will
// not start it on the network without a token.
import { mkdtempSync, rmSync } from 'node:fs';
import { networkInterfaces, tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_ENDPOINTS } from '../../src/admin/admin-endpoints.js';
import { figway, FigwayConfigError } from '../../src/index.js';
import type { FigwayConfig } from '../../src/types.js';
import { quietLogger, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request, type Reply } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const TOKEN = 'admin-token-0123456789abcdef';
const READER = 'reader-token-0123456789abcdef';
const OPERATOR = 'operator-token-0123456789abcdef';
/** A non-loopback address of this machine (none in some sandboxes). */
const OUTSIDE = Object.values(networkInterfaces())
  .flat()
  .find((i) => i && i.family === 'IPv4' && !i.internal)?.address;

/** Ways of presenting a token that are not `Authorization: Bearer <the token>`. */
const WRONG: [string, Record<string, string>, string?][] = [
  ['no token', {}],
  ['a wrong token', { authorization: 'Bearer wrong-token-0123456789abcdef' }],
  ['the token with one more character', { authorization: `Bearer ${TOKEN}x` }],
  ['the token short of its last character', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
  ['the token in upper case', { authorization: `Bearer ${TOKEN.toUpperCase()}` }],
  ['the token as Basic credentials', { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` }],
  ['the token without a scheme', { authorization: TOKEN }],
  ['two tokens', { authorization: `Bearer ${TOKEN} ${TOKEN}` }],
  ['the token in another header', { 'x-admin-token': TOKEN, 'x-api-key': TOKEN }],
  ['the token in a cookie', { cookie: `token=${TOKEN}; figway-admin=${TOKEN}` }],
  ['the token in the query string', {}, `token=${TOKEN}`],
  ['the token in the query string as access_token', {}, `access_token=${TOKEN}`],
  ['the right header, and the token in the query string too', { authorization: `Bearer ${TOKEN}` }, `access_token=${TOKEN}`],
];

/** A concrete call for every endpoint that needs the token. */
const GUARDED = ADMIN_ENDPOINTS.filter((e) => e.access !== 'open').map((e) => ({
  method: e.method,
  access: e.access,
  path: e.path.replace(':id', 'orders'),
  body: e.method === 'PUT' ? { percent: 100 } : e.method === 'POST' ? (e.path === '/kill-switch' ? { on: true } : {}) : undefined,
}));

describe('admin API exposure', () => {
  let dir: string;
  let service: Upstream;
  let monolith: Monolith;
  let admin: string;

  const call = (method: string, target: string, headers: Record<string, string>, body?: unknown): Promise<Reply> =>
    request(admin, target, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const withToken = (method: string, target: string, body?: unknown) => call(method, target, { authorization: `Bearer ${TOKEN}` }, body);

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-admin-exposure-'));
    service = await startUpstream('service');
    monolith = await startMonolith(express, {
      registry: new Registry(),
      config: {
        admin: {
          port: 0,
          token: TOKEN,
          tokens: [
            { name: 'reader', token: READER, role: 'read' },
            { name: 'operator', token: OPERATOR, role: 'operate' },
          ],
        },
        state: { store: 'file', path: path.join(dir, 'state.json') },
        routes: [{ id: 'orders', match: { path: '/api/orders' }, upstream: service.url, rollout: { percent: 0 } }],
      },
    });
    await monolith.gateway.ready;
    admin = monolith.gateway.adminUrl as string;
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('covers every endpoint that needs the token', () => {
    expect(GUARDED.map((e) => `${e.method} ${e.path}`)).toEqual(expect.arrayContaining(['PUT /routes/orders/rollout', 'POST /routes/orders/rollback', 'POST /kill-switch', 'POST /reload', 'GET /audit']));
  });

  it.each(WRONG)('refuses %s on every guarded endpoint with 401, and changes nothing', async (_name, headers, query) => {
    for (const endpoint of GUARDED) {
      const target = query ? `${endpoint.path}?${query}` : endpoint.path;
      const reply = await call(endpoint.method, target, headers, endpoint.body);
      const what = `${endpoint.method} ${target}`;
      expect(reply.status, what).toBe(401);
      expect(reply.headers['www-authenticate'], what).toMatch(/^Bearer /);
      expect(reply.json(), what).toMatchObject({ error: { code: 'FIGWAY_ADMIN_UNAUTHORIZED', status: 401 } });
      expect(reply.body, what).not.toContain(TOKEN);
    }
    // Nothing was applied: the rollout is the file's, the kill switch is off, the audit log is empty, traffic stays on legacy.
    expect((await withToken('GET', '/routes/orders')).json()).toMatchObject({ rollout: { percent: 0, source: 'file' } });
    expect((await withToken('GET', '/kill-switch')).json()).toMatchObject({ on: false });
    expect((await withToken('GET', '/audit')).json()).toMatchObject({ entries: [] });
    const before = service.received.length;
    expect((await request(monolith.url, '/api/orders')).json()).toMatchObject({ service: 'legacy' });
    expect(service.received.length).toBe(before);
  });

  it('refuses a valid token whose role is below the endpoint\'s with 403, and changes nothing', async () => {
    const below = [
      ['reader', READER, ['operate', 'admin']],
      ['operator', OPERATOR, ['admin']],
    ] as const;
    let refusals = 0;
    for (const [name, token, roles] of below) {
      for (const endpoint of GUARDED.filter((e) => (roles as readonly string[]).includes(e.access))) {
        const reply = await call(endpoint.method, endpoint.path, { authorization: `Bearer ${token}` }, endpoint.body);
        const what = `${name}: ${endpoint.method} ${endpoint.path}`;
        expect(reply.status, what).toBe(403);
        expect(reply.json(), what).toMatchObject({ error: { code: 'FIGWAY_ADMIN_FORBIDDEN', message: expect.stringContaining(`"${name}" has the role`) } });
        refusals++;
      }
    }
    expect(refusals, 'every change refused to reader, reload to operator too').toBe(GUARDED.filter((e) => e.method !== 'GET').length + 1);
    expect((await withToken('GET', '/routes/orders')).json()).toMatchObject({ rollout: { percent: 0, source: 'file' } });
    expect((await withToken('GET', '/kill-switch')).json()).toMatchObject({ on: false });
    expect((await withToken('GET', '/audit')).json()).toMatchObject({ entries: [] });
  });

  it('accepts exactly the token, in the Authorization header', async () => {
    expect((await withToken('GET', '/routes/orders')).status).toBe(200);
    expect((await call('GET', '/routes/orders', { authorization: `bearer  ${TOKEN}` })).status).toBe(200);
  });

  it('answers only the probes and the static page without a token, and they reveal no routing', async () => {
    for (const target of ['/healthz', '/readyz']) {
      const reply = await call('GET', target, {});
      expect(reply.status, target).toBe(200);
      expect(reply.body, target).not.toMatch(/orders|127\.0\.0\.1:\d+/);
    }
    expect((await call('GET', '/', {})).headers['content-type']).toMatch(/^text\/html/);
  });

  it('is not reachable through the app', async () => {
    for (const target of ['/routes', '/kill-switch', '/audit']) {
      const reply = await request(monolith.url, target, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(reply.json(), target).toMatchObject({ service: 'legacy' });
    }
  });
});

describe('admin API set-up beyond loopback', () => {
  const start = (admin: NonNullable<FigwayConfig['admin']>) => () => figway({ config: { admin, routes: [] }, logger: quietLogger, registry: new Registry() });

  it.each(['0.0.0.0', '::', '127.attacker.example', ...(OUTSIDE ? [OUTSIDE] : [])])('refuses to start on %s without a token', (host) => {
    expect(start({ port: 0, host })).toThrow(FigwayConfigError);
    expect(start({ port: 0, host })).toThrow(/admin\.token {2}is required/);
  });

  it('refuses to start on the network with the token switched off', () => {
    expect(start({ port: 0, host: '0.0.0.0', token: TOKEN, requireToken: false })).toThrow(/admin\.requireToken {2}can only be false on loopback/);
  });

  it.each(['127.0.0.1', '127.0.0.2', 'localhost'])('starts on loopback (%s) without a token', async (host) => {
    const gateway = start({ port: 0, host })();
    await gateway.ready;
    expect(gateway.adminUrl).toMatch(/^http:\/\/(127\.0\.0\.\d|localhost):\d+$/);
    expect((await request(gateway.adminUrl as string, '/routes')).status).toBe(200);
    await gateway.close();
  });

  it.runIf(OUTSIDE)('serves the network only with the token', async () => {
    const gateway = start({ port: 0, host: OUTSIDE as string, token: TOKEN })();
    await gateway.ready;
    const url = gateway.adminUrl as string;
    expect(new URL(url).hostname).toBe(OUTSIDE);
    expect((await request(url, '/routes')).status).toBe(401);
    expect((await request(url, '/routes', { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
    await gateway.close();
  });
});
