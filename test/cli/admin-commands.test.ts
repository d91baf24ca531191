// The admin commands end to end: a real monolith with figway and its admin API, a real service, the CLI in-process.
import express from 'express';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf } from '../../src/index.js';
import { startMonolith, type Monolith } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';
import { runCli } from './run-cli.js';

const TOKEN = 'cli-test-token-0123456789';
const READ_TOKEN = 'cli-dashboard-token-0123456789';

/** The cells of each table row below the header line that starts with `header`. */
function tableRows(text: string, header: string): string[][] {
  const lines = text.split('\n');
  const start = lines.findIndex((line) => line.startsWith(header));
  const rows: string[][] = [];
  for (const line of lines.slice(start + 1)) {
    if (line.trim() === '') break;
    rows.push(line.split(/ {2,}/));
  }
  return rows;
}

describe('figway admin commands against a running gateway', () => {
  let service: Upstream;
  let monolith: Monolith;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  const figway = (...argv: string[]) => runCli(argv, env);
  /** Which side served a request for the orders route, for a caller with this x-user-id. */
  const servedBy = async (user: string) => (await request(monolith.url, '/api/orders/7', { headers: { 'x-user-id': user } })).json<{ service: string }>().service;

  beforeAll(async () => {
    service = await startUpstream('orders-service');
    dir = mkdtempSync(path.join(os.tmpdir(), 'figway-cli-'));
    monolith = await startMonolith(express, {
      config: {
        admin: { port: 0, token: TOKEN, tokens: [{ name: 'dashboard', token: READ_TOKEN, role: 'read' }] },
        state: { store: 'file', path: path.join(dir, 'state.json') },
        cohorts: { staff: { user: { role: 'staff' } } },
        upstreams: { orders: { url: service.url } },
        routes: [
          { id: 'orders', match: { path: '/api/orders' }, upstream: 'orders', rollout: { percent: 10, sticky: ['user', 'header:x-user-id', 'cookie:sid', 'ip'], cohorts: { staff: 'service' } } },
          { id: 'users', match: { path: '/api/users/:id' }, upstream: service.url, rewrite: { stripPrefix: '/api' } },
        ],
      },
    });
    await monolith.gateway.ready;
    env = { FIGWAY_ADMIN_URL: monolith.gateway.adminUrl, FIGWAY_ADMIN_TOKEN: TOKEN };
  });
  afterAll(async () => {
    await monolith.close();
    await service.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('status shows versions, kill switch, store health and every route from the file', async () => {
    const result = await figway('status');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const lines = result.stdout.split('\n');
    expect(lines.slice(0, 7)).toEqual([
      `admin API:       ${monolith.gateway.adminUrl}`,
      'acting as:       admin, role admin (read < operate < admin)',
      'status:          ready',
      'config version:  1',
      'state revision:  0',
      'kill switch:     off',
      `store:           file:${path.join(dir, 'state.json')} (healthy)`,
    ]);
    expect(tableRows(result.stdout, 'ID')).toEqual([
      ['orders', '10%', 'file', '10%', 'no', `orders (${service.url}/)`, '-', '-'],
      ['users', '100%', 'file', '100%', 'no', `${service.url}/`, '-', '-'],
    ]);
  });

  it('whoami names the token the CLI acts as and its role; a role too low for a change is told so, and nothing changes', async () => {
    expect(await figway('whoami')).toEqual({ code: 0, stdout: `admin, role admin (read < operate < admin) at ${monolith.gateway.adminUrl}\n`, stderr: '' });
    const reader = (...argv: string[]) => runCli(argv, { ...env, FIGWAY_ADMIN_TOKEN: READ_TOKEN });
    expect((await reader('whoami')).stdout).toBe(`dashboard, role read (read < operate < admin) at ${monolith.gateway.adminUrl}\n`);
    expect(JSON.parse((await reader('--json', 'whoami')).stdout)).toEqual({ name: 'dashboard', role: 'read', authenticated: true });
    expect(await reader('rollout', 'orders', '90')).toEqual({
      code: 4,
      stdout: '',
      stderr: 'error: the token "dashboard" has the role read; PUT /routes/:id/rollout needs operate (roles: read < operate < admin)\n',
    });
    expect((await reader('status')).stdout).toContain('orders  10%');
  });

  it('rollout changes the percent, says what it was, and real requests follow it at once', async () => {
    const result = await figway('rollout', 'orders', '25');
    expect(result).toEqual({ code: 0, stdout: 'orders: 25% (was 10%, source runtime)\n', stderr: '' });
    const users = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'];
    for (const user of users) {
      expect(await servedBy(user)).toBe(bucketOf('orders', user) < 2500 ? 'orders-service' : 'legacy');
    }
    expect(await figway('rollout', 'orders', '100%')).toMatchObject({ code: 0, stdout: 'orders: 100% (was 25%, source runtime)\n' });
    for (const user of users) expect(await servedBy(user)).toBe('orders-service');
  });

  it('rollback sends the route to legacy and says which cohort still goes to the service', async () => {
    const result = await figway('rollback', 'orders');
    expect(result).toEqual({ code: 0, stdout: 'orders: rolled back to 0% (was 100%); cohort staff still goes to the service\n', stderr: '' });
    expect(await servedBy('alice')).toBe('legacy');
    const status = await figway('status');
    expect(tableRows(status.stdout, 'ID')[0]).toEqual(['orders', '0%', 'runtime', '10%', 'no', `orders (${service.url}/)`, '-', '-']);
  });

  it('clear drops the runtime change: the file\'s rollout applies again', async () => {
    expect(await figway('clear', 'orders')).toEqual({ code: 0, stdout: "orders: back to the file's rollout, 10% (was 0%)\n", stderr: '' });
    const status = await figway('status');
    expect(tableRows(status.stdout, 'ID')[0]).toEqual(['orders', '10%', 'file', '10%', 'no', `orders (${service.url}/)`, '-', '-']);
    await figway('rollback', 'orders');
  });

  it('reload makes the gateway read its config again', async () => {
    const result = await figway('reload');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^reloaded: config version \d+\n$/);
  });

  it('kill-switch shows, turns on and turns off the switch; on sends everything to legacy', async () => {
    await figway('rollout', 'orders', '100');
    expect(await figway('kill-switch')).toEqual({ code: 0, stdout: 'kill switch: off (routes follow their rollouts)\n', stderr: '' });
    expect(await figway('kill-switch', 'on')).toEqual({ code: 0, stdout: 'kill switch: on (every route sends every request to legacy)\n', stderr: '' });
    expect(await servedBy('alice')).toBe('legacy');
    const status = await figway('status');
    expect(status.stdout).toContain('kill switch:     on (every route sends every request to legacy)');
    expect(tableRows(status.stdout, 'ID').map((row) => row[4])).toEqual(['yes', 'yes']);
    const rollout = await figway('rollout', 'orders', '50');
    expect(rollout.stderr).toBe('note: the kill switch is on, so every request still goes to legacy (figway kill-switch off to resume)\n');
    expect(await figway('kill-switch', 'off')).toMatchObject({ code: 0, stdout: 'kill switch: off (routes follow their rollouts)\n' });
    expect(await figway('--json', 'kill-switch')).toEqual({ code: 0, stdout: '{\n  "on": false\n}\n', stderr: '' });
  });

  it('explain shows the route, service path, side and the bucket figway computes', async () => {
    await figway('rollout', 'orders', '50');
    const bucket = bucketOf('orders', 'alice');
    const side = bucket < 5000 ? 'service' : 'legacy';
    const result = await figway('explain', 'GET', '/api/orders/7?x=1', '--header', 'X-User-Id: alice');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toBe(
      [
        'route:         orders',
        'matched path:  /api/orders/7',
        `upstream:      orders (${service.url}/)`,
        'service path:  /api/orders/7?x=1',
        `side:          ${side}`,
        `reason:        bucket (${bucket} is ${side === 'service' ? 'below' : 'not below'} 5000: the route is at 50%)`,
        `bucket:        ${bucket}`,
        'sticky key:    header:x-user-id',
        '',
      ].join('\n'),
    );
    expect(await servedBy('alice')).toBe(side === 'service' ? 'orders-service' : 'legacy');
  });

  it('explain passes cookies, user fields and the address, and shows cohorts', async () => {
    const json = async (...argv: string[]) => JSON.parse((await figway('--json', 'explain', ...argv)).stdout) as { decision: Record<string, unknown> };
    expect((await json('GET', '/api/orders', '--cookie', 'sid=abc')).decision).toMatchObject({ stickyKey: 'cookie:sid', bucket: bucketOf('orders', 'abc') });
    expect((await json('GET', '/api/orders', '--ip', '10.1.2.3')).decision).toMatchObject({ stickyKey: 'ip', bucket: bucketOf('orders', '10.1.2.3') });
    expect((await json('POST', '/api/orders', '--user', 'id=42')).decision).toMatchObject({ stickyKey: 'user', bucket: bucketOf('orders', '42') });
    const cohort = await figway('explain', 'GET', '/api/orders', '--user', 'role=staff', '--user', 'id=7');
    expect(cohort.stdout).toContain('side:          service\nreason:        cohort (staff is forced to service)\n');
    expect(cohort.stdout).toContain('cohort:        staff\n');
    const users = await figway('explain', 'get', '/api/users/7');
    expect(users.stdout).toContain('service path:  /users/7\nside:          service\nreason:        percent (the route is at 100%)\n');
  });

  it('explain says when no route matches, and when figway would refuse the path', async () => {
    expect(await figway('explain', 'GET', '/about')).toEqual({ code: 0, stdout: 'no route matches: the monolith serves it\n', stderr: '' });
    expect(await figway('explain', 'GET', '/api%2Forders')).toEqual({ code: 0, stdout: 'refused: encoded slash in path\n', stderr: '' });
  });

  it('audit lists every change, newest first, with the token as the actor and this user as what it said', async () => {
    const result = await figway('audit', '--limit', '4');
    expect(result).toMatchObject({ code: 0, stderr: '' });
    const actor = `admin (${os.userInfo().username})`;
    const rows = tableRows(result.stdout, 'TIME');
    expect(rows.map((row) => row.slice(1))).toEqual([
      [actor, 'rollout', 'orders', '50% → 50%', '-'],
      [actor, 'kill-switch', '-', 'on → off', '-'],
      [actor, 'rollout', 'orders', '100% → 50%', '-'],
      [actor, 'kill-switch', '-', 'off → on', '-'],
    ]);
    for (const row of rows) expect(row[0]).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const all = JSON.parse((await figway('audit', '--json')).stdout) as { entries: { action: string }[] };
    expect(all.entries.map((entry) => entry.action)).toEqual(['rollout', 'kill-switch', 'rollout', 'kill-switch', 'rollout', 'reload', 'rollback', 'clear-override', 'rollback', 'rollout', 'rollout']);
  });

  it('--json prints the API answers and nothing else', async () => {
    const rollout = await figway('--json', 'rollout', 'orders', '12.5');
    expect(rollout.stderr).toBe('');
    expect(JSON.parse(rollout.stdout)).toMatchObject({ id: 'orders', rollout: { percent: 12.5, source: 'runtime', killed: false }, fileRollout: { percent: 10 } });
    const status = JSON.parse((await figway('status', '--json')).stdout) as { readyz: { status: string }; routes: { routes: { id: string }[] } };
    expect(status.readyz.status).toBe('ready');
    expect(status.routes.routes.map((route) => route.id)).toEqual(['orders', 'users']);
  });

  it('--change-id makes a command a change applied at most once; audit --change finds it, or says it was not applied', async () => {
    expect(await figway('--change-id', 'ops-42', 'rollout', 'orders', '30')).toMatchObject({ code: 0 });
    // The retry finds the change applied: that is not "nothing changed".
    expect(await figway('--change-id', 'ops-42', 'rollout', 'orders', '30')).toEqual({ code: 0, stdout: 'orders: 30% (was 30%, source runtime)\n', stderr: '' });
    const found = tableRows((await figway('audit', '--change', 'ops-42')).stdout, 'TIME');
    expect(found.map((row) => row.slice(1))).toEqual([[`admin (${os.userInfo().username})`, 'rollout', 'orders', '12.5% → 30%', '-']]);
    expect(await figway('audit', '--change', 'never-sent')).toMatchObject({ code: 0, stdout: 'change never-sent is not among the last 1000 changes in the audit log: it was not applied\n' });
    expect(await figway('--change-id', 'has space', 'rollout', 'orders', '30')).toMatchObject({ code: 2 });
  });

  it('takes the admin URL and token from --admin and --token too', async () => {
    const result = await runCli(['--admin', monolith.gateway.adminUrl as string, '--token', TOKEN, 'kill-switch']);
    expect(result).toMatchObject({ code: 0, stdout: 'kill switch: off (routes follow their rollouts)\n' });
  });

  it('--reason is kept in the audit log beside the change, and figway audit shows it', async () => {
    expect(await figway('--reason', 'p99 up on orders-service, see INC-123', 'rollout', 'orders', '20')).toMatchObject({ code: 0 });
    expect(await figway('rollback', 'orders', '--reason', 'vérifié: rollback demandé')).toMatchObject({ code: 0 });
    const rows = tableRows((await figway('audit', '--limit', '2')).stdout, 'TIME');
    expect(rows.map((row) => [row[2], row[5]])).toEqual([
      ['rollback', 'vérifié: rollback demandé'],
      ['rollout', 'p99 up on orders-service, see INC-123'],
    ]);
    const entries = (JSON.parse((await figway('--json', 'audit', '--limit', '1')).stdout) as { entries: { reason?: string }[] }).entries;
    expect(entries[0]?.reason).toBe('vérifié: rollback demandé');
    expect(await figway('--reason', 'two\nlines', 'rollout', 'orders', '20')).toEqual({ code: 2, stdout: '', stderr: 'error: --reason must be 1 to 500 characters on one line, without control or format characters\n' });
  });

  it('says when a change changed nothing', async () => {
    await figway('rollout', 'orders', '35');
    expect(await figway('rollout', 'orders', '35')).toEqual({ code: 0, stdout: 'orders: already 35% (source runtime); nothing changed\n', stderr: '' });
    await figway('rollback', 'orders');
    expect((await figway('rollback', 'orders')).stdout).toBe('orders: already rolled back to 0%; nothing changed; cohort staff still goes to the service\n');
    await figway('clear', 'orders');
    expect((await figway('clear', 'orders')).stdout).toBe("orders: no runtime change to clear: the file's rollout, 10%, applies; nothing changed\n");
    expect((await figway('kill-switch', 'off')).stdout).toBe('kill switch: already off (routes follow their rollouts); nothing changed\n');
  });

  it('-H is --header; explain names the sticky keys it looked for, and says when no --ip was given', async () => {
    const keyed = await figway('explain', 'GET', '/api/orders', '-H', 'x-user-id: alice');
    expect(keyed.stdout).toContain('sticky key:    header:x-user-id\n');
    const unkeyed = await figway('explain', 'GET', '/api/orders');
    expect(unkeyed).toMatchObject({ code: 0, stderr: '' });
    expect(unkeyed.stdout).toContain('reason:        unkeyed (no sticky key present: the route sends such requests to legacy)\n');
    expect(unkeyed.stdout).toContain('sticky key:    none present (looked for user, header:x-user-id, cookie:sid, ip)\n');
    expect(unkeyed.stdout).toContain('note: no --ip given, so this request has no address; a real one always has, and this route would key it by ip: add --ip <addr>\n');
    expect((await figway('explain', 'GET', '/api/orders', '--ip', '10.0.0.1')).stdout).not.toContain('note:');
    expect((JSON.parse((await figway('--json', 'explain', 'GET', '/api/orders')).stdout) as { sticky: string[] }).sticky).toEqual(['user', 'header:x-user-id', 'cookie:sid', 'ip']);
  });

  it('with --json, a failure is one JSON document on stdout too, with the same exit code', async () => {
    expect(await figway('--json', 'rollout', 'ordrs', '5')).toEqual({
      code: 1,
      stdout: `${JSON.stringify({ error: { message: 'no route "ordrs" (routes: orders, users)', exitCode: 1, code: 'FIGWAY_ADMIN_NOT_FOUND' } }, null, 2)}\n`,
      stderr: '',
    });
    const usage = await figway('rollout', 'orders', '--json', '--frobnicate');
    expect(usage).toMatchObject({ code: 2, stderr: '' });
    expect(JSON.parse(usage.stdout)).toEqual({ error: { message: "unknown option '--frobnicate'", exitCode: 2 } });
    const badPercent = await figway('--json', 'rollout', 'orders', '250');
    expect(badPercent).toMatchObject({ code: 2, stderr: '' });
    expect(JSON.parse(badPercent.stdout)).toMatchObject({ error: { exitCode: 2, message: expect.stringContaining('percent') } });
    const bareJson = await figway('--json');
    expect(bareJson.code).toBe(2);
    expect(JSON.parse(bareJson.stdout)).toEqual({ error: { message: 'no command given: figway --help lists them', exitCode: 2 } });
    const badFile = await figway('--json', 'routes', new URL('./fixtures/needs-env-and-bad.yaml', import.meta.url).pathname);
    expect(badFile).toMatchObject({ code: 1, stderr: '' });
    expect(JSON.parse(badFile.stdout)).toMatchObject({ ok: false, problems: expect.arrayContaining([expect.objectContaining({ path: 'upstreams.orders.url' })]) });
    const unauthorized = await runCli(['--json', 'status'], { ...env, FIGWAY_ADMIN_TOKEN: 'not-the-token-0123456789' });
    expect(unauthorized).toMatchObject({ code: 4, stderr: '' });
    expect(JSON.parse(unauthorized.stdout)).toEqual({ error: { message: 'the admin API refused the token: pass --token or set FIGWAY_ADMIN_TOKEN', exitCode: 4 } });
  });

  it('exits 1 with the API message for an unknown route, changing nothing', async () => {
    expect(await figway('rollout', 'ordrs', '5')).toEqual({ code: 1, stdout: '', stderr: 'error: no route "ordrs" (routes: orders, users)\n' });
    expect(await figway('rollback', 'ordrs')).toMatchObject({ code: 1, stderr: 'error: no route "ordrs" (routes: orders, users)\n' });
  });

  it('exits 4 when the token is wrong or missing', async () => {
    const wrong = await runCli(['status'], { ...env, FIGWAY_ADMIN_TOKEN: 'not-the-token-0123456789' });
    expect(wrong).toEqual({ code: 4, stdout: '', stderr: 'error: the admin API refused the token: pass --token or set FIGWAY_ADMIN_TOKEN\n' });
    const missing = await runCli(['rollout', 'orders', '5'], { FIGWAY_ADMIN_URL: env.FIGWAY_ADMIN_URL });
    expect(missing).toEqual({ code: 4, stdout: '', stderr: 'error: the admin API needs a token: pass --token or set FIGWAY_ADMIN_TOKEN\n' });
  });

  it('exits 3 when --admin points at the app instead of its admin API', async () => {
    const result = await runCli(['status'], { ...env, FIGWAY_ADMIN_URL: monolith.url });
    expect(result.code).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `error: the server at ${monolith.url} answered 200 (application/json; charset=utf-8) but is not the figway admin API: is --admin (FIGWAY_ADMIN_URL) the admin port rather than the app's?\n`,
    );
  });
});
