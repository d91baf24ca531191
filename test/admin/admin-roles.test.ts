// Named admin tokens end to end: each role gets what it needs and no more, the audit log names the
// token (what the client says is a note beside it), and a token file rotates without a restart.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { figway } from '../../src/index.js';
import { quietLogger, startMonolith, type Monolith } from '../helpers/monolith.js';
import { request, type Reply } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const SINGLE = 'single-admin-token-0123456789';
const OPS = 'ops-oncall-token-0123456789';
const DEPLOY = 'deploy-bot-token-0123456789';
const PROMETHEUS_OLD = 'prometheus-token-old-0123456789';
const PROMETHEUS_NEW = 'prometheus-token-new-0123456789';

interface AuditLine {
  actor: string;
  note?: string;
  action: string;
}

describe('admin tokens with roles', () => {
  let dir: string;
  let service: Upstream;
  let monolith: Monolith;
  let admin: string;

  const call = (token: string | undefined, method: string, target: string, body?: unknown, said?: string): Promise<Reply> =>
    request(admin, target, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(said ? { 'x-figway-actor': said } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const percent = async () => (await call(DEPLOY, 'GET', '/routes/orders')).json<{ rollout: { percent: number } }>().rollout.percent;
  const audit = async () => (await call(DEPLOY, 'GET', '/audit')).json<{ entries: AuditLine[] }>().entries;

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-admin-roles-'));
    writeFileSync(path.join(dir, 'prometheus-token'), `${PROMETHEUS_OLD}\n`);
    service = await startUpstream('orders');
    const file = path.join(dir, 'figway.yaml');
    writeFileSync(
      file,
      `admin:
  port: 0
  token: ${SINGLE}
  tokens:
    - { name: ops-oncall, token: ${OPS}, role: operate }
    - { name: deploy-bot, token: ${DEPLOY}, role: admin }
    - { name: prometheus, tokenFile: prometheus-token, role: read }
state: { store: file, path: state.json }
reload: { watch: false }
routes:
  - id: orders
    match: { path: /api/orders }
    upstream: ${service.url}
    rollout: { percent: 0 }
`,
    );
    monolith = await startMonolith(express, { config: file, registry: new Registry() });
    await monolith.gateway.ready;
    admin = monolith.gateway.adminUrl as string;
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says who each token is and what it may do', async () => {
    expect((await call(PROMETHEUS_OLD, 'GET', '/whoami')).json()).toEqual({ name: 'prometheus', role: 'read', authenticated: true });
    expect((await call(OPS, 'GET', '/whoami')).json()).toEqual({ name: 'ops-oncall', role: 'operate', authenticated: true });
    expect((await call(SINGLE, 'GET', '/whoami')).json()).toEqual({ name: 'admin', role: 'admin', authenticated: true });
    expect((await call(undefined, 'GET', '/whoami')).status).toBe(401);
  });

  it('lets read see everything, /metrics included, and change nothing', async () => {
    for (const target of ['/routes', '/routes/orders', '/kill-switch', '/audit', '/stats', '/explain?path=/api/orders', '/routes/orders/shadow']) {
      expect((await call(PROMETHEUS_OLD, 'GET', target)).status, target).toBe(200);
    }
    const metrics = await call(PROMETHEUS_OLD, 'GET', '/metrics');
    expect(metrics.status).toBe(200);
    expect(metrics.body).toContain('figway_requests_total');
    const changes: [string, string, unknown?][] = [
      ['PUT', '/routes/orders/rollout', { percent: 50 }],
      ['DELETE', '/routes/orders/rollout'],
      ['POST', '/routes/orders/rollback', {}],
      ['POST', '/kill-switch', { on: true }],
      ['POST', '/reload', {}],
    ];
    for (const [method, target, body] of changes) {
      const refused = await call(PROMETHEUS_OLD, method, target, body);
      expect(refused.status, `${method} ${target}`).toBe(403);
      expect(refused.headers['www-authenticate'], 'a 403 is not a request for other credentials').toBeUndefined();
      expect(refused.json(), `${method} ${target}`).toMatchObject({
        error: { code: 'FIGWAY_ADMIN_FORBIDDEN', message: expect.stringMatching(/^the token "prometheus" has the role read; .* needs (operate|admin)/) },
      });
    }
    expect(await percent()).toBe(0);
    expect((await call(OPS, 'GET', '/kill-switch')).json()).toEqual({ on: false });
    expect(await audit()).toEqual([]);
  });

  it('lets operate change rollouts and the kill switch, not reload', async () => {
    expect((await call(OPS, 'PUT', '/routes/orders/rollout', { percent: 40 })).status).toBe(200);
    expect((await call(OPS, 'POST', '/kill-switch', { on: true })).status).toBe(200);
    expect((await call(OPS, 'POST', '/kill-switch', { on: false })).status).toBe(200);
    const reload = await call(OPS, 'POST', '/reload', {});
    expect(reload.status).toBe(403);
    expect(reload.json()).toMatchObject({ error: { message: 'the token "ops-oncall" has the role operate; POST /reload needs admin (roles: read < operate < admin)' } });
    expect(await percent()).toBe(40);
  });

  it('lets admin reload, and the single admin.token is an admin token', async () => {
    const first = (await call(DEPLOY, 'POST', '/reload', {})).json<{ configVersion: number }>().configVersion;
    expect((await call(SINGLE, 'POST', '/reload', {})).json()).toEqual({ configVersion: first + 1 });
  });

  it('records the token name as the actor; what the client says is only a note', async () => {
    await call(OPS, 'POST', '/routes/orders/rollback', {}, 'deploy-bot');
    await call(DEPLOY, 'PUT', '/routes/orders/rollout', { percent: 10 });
    const [rollout, rollback, reloadSingle, reloadDeploy] = await audit();
    expect(rollout).toMatchObject({ actor: 'deploy-bot', action: 'rollout' });
    expect(rollout).not.toHaveProperty('note');
    expect(rollback).toMatchObject({ actor: 'ops-oncall', note: 'deploy-bot', action: 'rollback' });
    expect(reloadSingle).toMatchObject({ actor: 'admin', action: 'reload' });
    expect(reloadDeploy).toMatchObject({ actor: 'deploy-bot', action: 'reload' });
  });

  it('follows the config on reload: a token removed stops working at once, one added works', async () => {
    const file = path.join(dir, 'figway.yaml');
    const LATE = 'late-joiner-token-0123456789';
    writeFileSync(file, readFileSync(file, 'utf8').replace(`    - { name: ops-oncall, token: ${OPS}, role: operate }\n`, `    - { name: late-joiner, token: ${LATE}, role: read }\n`));
    expect((await call(DEPLOY, 'POST', '/reload', {})).status).toBe(200);
    expect((await call(OPS, 'GET', '/routes')).status).toBe(401);
    expect((await call(LATE, 'GET', '/whoami')).json()).toEqual({ name: 'late-joiner', role: 'read', authenticated: true });
    expect((await call(LATE, 'POST', '/kill-switch', { on: true })).status).toBe(403);
  });

  it('follows a rotated token file within a second, without a restart', async () => {
    writeFileSync(path.join(dir, 'prometheus-token'), PROMETHEUS_NEW);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    expect((await call(PROMETHEUS_NEW, 'GET', '/whoami')).json()).toMatchObject({ name: 'prometheus' });
    expect((await call(PROMETHEUS_OLD, 'GET', '/routes')).status).toBe(401);
  });
});

describe('admin API without a token, on loopback', () => {
  it('acts as anonymous@<address>, records what the client says as a note, and still checks a token that is sent', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'figway-admin-anonymous-'));
    const gateway = figway({ config: { admin: { port: 0 }, state: { store: 'file', path: path.join(dir, 'state.json') }, routes: [] }, logger: quietLogger, registry: new Registry() });
    try {
      await gateway.ready;
      const url = gateway.adminUrl as string;
      expect((await request(url, '/whoami')).json()).toEqual({ name: 'anonymous@127.0.0.1', role: 'admin', authenticated: false });
      const change = await request(url, '/kill-switch', { method: 'POST', headers: { 'content-type': 'application/json', 'x-figway-actor': 'alice' }, body: '{"on":true}' });
      expect(change.status).toBe(200);
      const entries = (await request(url, '/audit')).json<{ entries: AuditLine[] }>().entries;
      expect(entries[0]).toMatchObject({ actor: 'anonymous@127.0.0.1', note: 'alice', action: 'kill-switch' });
      expect((await request(url, '/routes', { headers: { authorization: 'Bearer not-a-token-0123456789' } })).status).toBe(401);
    } finally {
      await gateway.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
