// The example app newcomers run first: `npm start` starts it, and what it prints works.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bucketOf } from '../../src/index.js';
import { request } from '../helpers/request.js';

const START = fileURLToPath(new URL('../../example-app/start.cjs', import.meta.url));
const CLI = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));

describe.each(['middleware', 'server'])('example app (%s mode)', (mode) => {
  let child: ChildProcess;
  let output = '';
  let base = '';
  let admin = '';
  let token = '';
  const stateDir = mkdtempSync(path.join(tmpdir(), 'figway-example-'));

  beforeAll(async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, PORT: '0', ORDERS_PORT: '0', USERS_PORT: '0', ADMIN_PORT: '0', CART_PORT: '0', CATALOG_PORT: '0', FIGWAY_STATE_FILE: path.join(stateDir, 'state.json'), FIGWAY_MODE: mode, FIGWAY_RETIRE_AFTER: '3s' };
    delete env.FIGWAY_ADMIN_TOKEN;
    child = spawn(process.execPath, [START], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stderr?.on('data', (data: Buffer) => (output += data.toString()));
    base = await new Promise<string>((resolve, reject) => {
      child.stdout?.on('data', (data: Buffer) => {
        output += data.toString();
        const found = /monolith \(legacy \+ figway\)\s+(http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        const adminLine = /admin API\s+(http:\/\/127\.0\.0\.1:\d+)\s+token (\S+) \(generated/.exec(output);
        if (found && adminLine && output.includes('Stop with Ctrl-C')) {
          admin = adminLine[1] as string;
          token = adminLine[2] as string;
          resolve(found[1] as string);
        }
      });
      child.once('exit', (code) => reject(new Error(`example exited with ${code}: ${output}`)));
    });
  });
  afterAll(async () => {
    // It writes what it counted for the migration map on the way out: the folder goes once it has.
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('says which mode figway runs in', () => {
    expect(output).toMatch(new RegExp(`monolith \\(legacy \\+ figway\\)\\s+${base}\\s+figway in ${mode} mode`));
  });

  it('prints curl lines for the monolith it started', () => {
    expect(output).toContain(`curl -s ${base}/api/users/7`);
    expect(output).toContain(`curl -s -H 'x-staff: yes' ${base}/api/orders`);
  });

  it('serves unlisted paths from the monolith and migrated ones from the services', async () => {
    expect((await request(base, '/')).body).toBe('The legacy monolith home page.\n');
    expect((await request(base, '/api/invoices')).json()).toEqual({ servedBy: 'legacy-monolith', invoices: [] });
    expect((await request(base, '/api/users/7')).json()).toEqual({ servedBy: 'users-service', user: { id: '7', name: 'user 7' } });
  });

  it.runIf(mode === 'middleware')("peels the cart off to its service while the cart stays in the monolith's session", async () => {
    const add = (cookie: string | undefined, sku: string) =>
      request(base, '/api/cart/items', { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body: JSON.stringify({ sku, qty: 1 }) });
    const first = await add(undefined, 'fig-jam');
    expect(first.status).toBe(201);
    const cookie = (first.headers['set-cookie'] ?? []).map((line) => line.split(';', 1)[0]).join('; ');
    expect(cookie).toMatch(/^connect\.sid=/);
    expect((await add(cookie, 'figs')).json()).toEqual({ servedBy: 'cart-service', cart: [{ sku: 'fig-jam', qty: 1 }, { sku: 'figs', qty: 1 }] });
    expect((await request(base, '/api/cart', { headers: { cookie } })).json()).toEqual({ servedBy: 'cart-service', cart: [{ sku: 'fig-jam', qty: 1 }, { sku: 'figs', qty: 1 }] });
    // The monolith's own handler reads the cart the service wrote.
    expect((await request(base, '/account', { headers: { cookie } })).json()).toEqual({ servedBy: 'legacy-monolith', itemsInCart: 2 });
    expect(output).toContain(`curl -s -c jar -b jar ${base}/account`);
  });

  it('runs the admin API on its own port with the token it printed', async () => {
    expect(new URL(admin).port).not.toBe(new URL(base).port);
    expect(token.length).toBeGreaterThanOrEqual(16);
    expect((await request(admin, '/routes')).status).toBe(401);
    const routes = await request(admin, '/routes', { headers: { authorization: `Bearer ${token}` } });
    expect(routes.json<{ routes: { id: string }[] }>().routes.map((r) => r.id)).toEqual(['orders', 'users', 'cart', 'catalog']);
  });

  it('prints the admin page address, and serves the page there', async () => {
    expect(output).toMatch(new RegExp(`admin page \\(ops\\)\\s+${admin}/\\s`));
    const page = await request(admin, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
  });

  it('is controlled end to end by the figway CLI', async () => {
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, FIGWAY_ADMIN_URL: admin, FIGWAY_ADMIN_TOKEN: token } });
    const user = ['alice', 'bob', 'carol', 'dave'].find((u) => bucketOf('orders', u) >= 2500) as string;
    expect((await request(base, '/api/orders', { headers: { 'x-user-id': user } })).json().servedBy).toBe('legacy-monolith');
    await cli('rollout', 'orders', '100');
    expect((await request(base, '/api/orders', { headers: { 'x-user-id': user } })).json().servedBy).toBe('orders-service');
    expect((await cli('status')).stdout).toMatch(/orders\s+100%\s+runtime/);
    await cli('rollback', 'orders');
    expect((await request(base, '/api/orders', { headers: { 'x-user-id': user } })).json().servedBy).toBe('legacy-monolith');
    expect((await cli('audit')).stdout).toMatch(/rollback/);
    await cli('rollout', 'orders', '25');
  });

  it('maps every endpoint of the monolith with its state: legacy only, rolling out, at 100%, ready to retire', async () => {
    const cli = (...args: string[]) => promisify(execFile)(process.execPath, [CLI, ...args], { env: { ...process.env, FIGWAY_ADMIN_URL: admin, FIGWAY_ADMIN_TOKEN: token } });
    type Endpoint = { method: string; path: string; state: string; why: string[] };
    const map = async () => JSON.parse((await cli('--json', 'map')).stdout) as { endpoints: Endpoint[] };
    const stateOf = (endpoints: Endpoint[]) => Object.fromEntries(endpoints.map((e) => [`${e.method} ${e.path}`, e.state]));
    // FIGWAY_RETIRE_AFTER is 3s here: users and the cart get there once they have been at 100% that long.
    const deadline = Date.now() + 15_000;
    while (stateOf((await map()).endpoints)['GET /api/users/:id'] !== 'ready-to-retire' && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
    // Staff still see the catalog's legacy pages, so those cannot go yet.
    expect((await request(base, '/api/catalog/products', { headers: { 'x-staff': 'yes' } })).json().servedBy).toBe('legacy-monolith');
    const { endpoints } = await map();
    expect(stateOf(endpoints)).toEqual({
      'GET /': 'legacy-only',
      'GET /api/orders': 'rolling-out',
      'GET /api/orders/:id': 'rolling-out',
      'POST /api/orders': 'rolling-out',
      'GET /api/users/:id': 'ready-to-retire',
      'GET /api/invoices': 'legacy-only',
      'GET /api/invoices/:id': 'legacy-only',
      'GET /api/catalog/products': 'at-100',
      'GET /api/catalog/products/:id': 'at-100',
      'GET /reports/sales': 'legacy-only',
      'GET /api/cart': 'ready-to-retire',
      'POST /api/cart/items': 'ready-to-retire',
      'GET /account': 'legacy-only',
    });
    expect(endpoints.find((e) => e.path === '/api/catalog/products')?.why[0]).toBe('legacy served 1 request today via cohort');
    expect((await cli('map')).stdout).toMatch(/GET\s+\/api\/catalog\/products\s+catalog\s+100%\s+at-100/);
  });

  it('serves its metrics on the admin listener, not on the public port', async () => {
    await request(base, '/api/users/8');
    expect((await request(base, '/metrics')).status).toBe(404);
    const metrics = (await request(admin, '/metrics', { headers: { authorization: `Bearer ${token}` } })).body;
    expect(metrics).toMatch(/figway_requests_total\{route="users",target="service",method="GET",status_class="2xx"\} [1-9]/);
    expect(metrics).toContain('figway_rollout_percent{route="orders"} 25');
  });

  it('splits /api/orders by x-user-id, sticky, with staff always on the service', async () => {
    for (const user of ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'gina', 'hank', 'ivan', 'judy']) {
      const expected = bucketOf('orders', user) < 2500 ? 'orders-service' : 'legacy-monolith';
      for (let i = 0; i < 2; i++) expect((await request(base, '/api/orders', { headers: { 'x-user-id': user } })).json().servedBy).toBe(expected);
    }
    const created = await request(base, '/api/orders', {
      method: 'POST',
      headers: { 'x-staff': 'yes', 'content-type': 'application/json' },
      body: '{"item":"fresh figs"}',
    });
    expect(created.status).toBe(201);
    expect(created.json()).toMatchObject({ servedBy: 'orders-service', order: { item: 'fresh figs' } });
  });
});
