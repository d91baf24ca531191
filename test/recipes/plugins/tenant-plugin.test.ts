// The example plugin of recipes/plugins/: a user plugin with its own config keys, run through the published package.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { figway, FigwayConfigError, FigwayError, type FigwayMiddleware } from 'figway';
import { pino } from 'pino';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tenantPlugin } from '../../../recipes/plugins/tenant-plugin.js';
import { listen, type Listening } from '../../helpers/listen.js';
import { request } from '../../helpers/request.js';
import { sign } from '../../helpers/tokens.js';
import { startUpstream, type Upstream } from '../../helpers/upstream.js';

const RECIPE_CONFIG = fileURLToPath(new URL('../../../recipes/plugins/figway.yaml', import.meta.url));
const SECRET = 'a-test-secret-of-at-least-32-characters';
const quiet = pino({ level: 'silent' });

describe('the tenants plugin of recipes/plugins', () => {
  let service: Upstream;
  let monolith: Listening;
  let gateway: FigwayMiddleware;
  let dir: string;
  const registry = new Registry();

  beforeAll(async () => {
    service = await startUpstream('invoices');
    dir = mkdtempSync(path.join(tmpdir(), 'figway-tenants-'));
    // The recipe's config, and a route the plugin runs on that legacy serves.
    const legacyRoute = '  - id: archive\n    match: { path: /api/archive }\n    upstream: ${INVOICES_URL}\n    rollout: { percent: 0 }\n';
    writeFileSync(path.join(dir, 'figway.yaml'), `${readFileSync(RECIPE_CONFIG, 'utf8')}${legacyRoute}`);
    gateway = figway({
      config: path.join(dir, 'figway.yaml'),
      env: { JWT_SECRET: SECRET, INVOICES_URL: service.url },
      plugins: [tenantPlugin(registry)],
      registry: new Registry(),
      logger: quiet,
    });
    const app = express();
    app.use(gateway);
    app.use((req, res) => void res.json({ served: 'legacy', tenant: req.get('x-tenant') ?? null }));
    monolith = await listen(app);
  });
  afterAll(async () => {
    await monolith?.close();
    await gateway?.close();
    await service?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const bearer = async (claims: Record<string, unknown>) => ({ authorization: `Bearer ${await sign(SECRET, { sub: 'u-1', ...claims })}` });

  it("tells the service the caller's tenant, replacing one the client sent", async () => {
    const reply = await request(monolith.url, '/api/invoices', { headers: { ...(await bearer({ tenant: 'acme' })), 'x-tenant': 'globex' } });
    expect(reply.status).toBe(200);
    expect(service.last().headers['x-tenant']).toBe('acme');
  });

  it('refuses a caller without a tenant on a route that needs one, in the error shape of every figway error', async () => {
    const reply = await request(monolith.url, '/api/invoices', { headers: await bearer({}) });
    expect(reply.status).toBe(403);
    expect(reply.json()).toEqual({ error: { code: 'FIGWAY_AUTH_FORBIDDEN', message: 'route invoices is for callers with a tenant', status: 403 } });
  });

  it("keeps a client's tenant header from the monolith's handlers too", async () => {
    const reply = await request(monolith.url, '/api/unrouted', { headers: { 'x-tenant': 'acme' } });
    expect(reply.json()).toEqual({ served: 'legacy', tenant: 'acme' });
    const legacy = await request(monolith.url, '/api/archive', { headers: { 'x-tenant': 'acme', ...(await bearer({ tenant: 'acme' })) } });
    expect(legacy.json()).toEqual({ served: 'legacy', tenant: null });
  });

  it("admits only the route's tenants, whatever header an anonymous client sends", async () => {
    expect((await request(monolith.url, '/api/reports', { headers: await bearer({ tenant: 'globex' }) })).status).toBe(403);
    expect((await request(monolith.url, '/api/reports', { headers: { 'x-tenant': 'acme' } })).status).toBe(403);
    expect((await request(monolith.url, '/api/reports', { headers: await bearer({ tenant: 'acme' }) })).status).toBe(200);
    expect(service.last().url).toBe('/api/reports');
  });

  it('counts requests per route and tenant, with unlisted tenants as "other"', async () => {
    const before = await counted('reports', 'other', 'gateway');
    await request(monolith.url, '/api/reports', { headers: await bearer({ tenant: 'initech' }) });
    await expect.poll(() => counted('reports', 'other', 'gateway')).toBe(before + 1);
    expect(await counted('invoices', 'acme', 'service')).toBeGreaterThanOrEqual(1);
  });

  it('takes a changed section on reload, and refuses a bad one at file:line while the last good config serves', async () => {
    const file = path.join(dir, 'figway.yaml');
    const good = readFileSync(file, 'utf8');
    writeFileSync(file, good.replace('known: [acme, globex]', 'known: [acme, globex, initech]').replace('only: [acme]', 'only: [initech]'));
    await gateway.reload();
    expect((await request(monolith.url, '/api/reports', { headers: await bearer({ tenant: 'initech' }) })).status).toBe(200);

    writeFileSync(file, good.replace('header: x-tenant', 'header: 42').replace('only: [acme]', 'only: [acme], requird: true'));
    const refused = await gateway.reload().then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(refused).toBeInstanceOf(FigwayConfigError);
    expect((refused as FigwayConfigError).problems.map((p) => `${p.line}:${p.column} ${p.path} ${p.message}`)).toEqual([
      '7:11 tenants.header must be a string',
      '18:29 routes[1].tenant.requird unknown field (did you mean "required"?)',
    ]);
    expect((await request(monolith.url, '/api/reports', { headers: await bearer({ tenant: 'initech' }) })).status).toBe(200);
    writeFileSync(file, good);
  });

  async function counted(route: string, tenant: string, target: string): Promise<number> {
    const values = (await registry.getSingleMetric('tenant_requests_total')?.get())?.values ?? [];
    return values.find((v) => v.labels.route === route && v.labels.tenant === tenant && v.labels.target === target)?.value ?? 0;
  }
});

describe('config the tenants plugin checks itself', () => {
  const start = (text: string) => {
    const dir = mkdtempSync(path.join(tmpdir(), 'figway-tenants-'));
    writeFileSync(path.join(dir, 'figway.yaml'), text);
    try {
      return figway({ config: path.join(dir, 'figway.yaml'), env: { JWT_SECRET: SECRET, INVOICES_URL: 'http://127.0.0.1:1' }, plugins: [tenantPlugin(new Registry())], registry: new Registry(), logger: quiet });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  const problemsOf = (run: () => unknown) => {
    try {
      run();
    } catch (err) {
      if (err instanceof FigwayConfigError) return err.problems.map((p) => `${p.line}:${p.column} ${p.path} ${p.message}`);
      throw err;
    }
    throw new Error('the config was accepted');
  };

  it('reports a tenant no section lists, at its line, through problem()', () => {
    const text = readFileSync(RECIPE_CONFIG, 'utf8').replace('only: [acme]', 'only: [acme, ghost]');
    expect(problemsOf(() => start(text))).toEqual(['18:28 routes[1].tenant.only[1] "ghost" is not one of tenants.known (acme, globex)']);
  });

  it('is an unknown key to a gateway without the plugin', () => {
    expect(problemsOf(() => figway({ config: { routes: [{ id: 'a', match: { path: '/a' }, upstream: 'http://127.0.0.1:1', tenant: {} } as never] }, registry: new Registry(), logger: quiet }))).toEqual([
      'undefined:undefined routes[0].tenant unknown field (expected one of: id, description, match, upstream, rewrite, rollout, timeouts, shadow, fallback, auth, session, limits, plugins)',
    ]);
  });

  it('cannot take a key figway or another plugin has', () => {
    const taken = { name: 'mine', configKeys: { limits: { type: 'object' } }, setup: () => ({}) };
    expect(() => figway({ config: { routes: [] }, plugins: [taken], registry: new Registry(), logger: quiet })).toThrow(FigwayError);
    expect(() => figway({ config: { routes: [] }, plugins: [taken], registry: new Registry(), logger: quiet })).toThrow('plugin "mine" declares a top-level config key "limits", which figway already has');
    const twice = [tenantPlugin(new Registry()), { name: 'copy', routeKeys: { tenant: { type: 'object' } }, setup: () => ({}) }];
    expect(() => figway({ config: { routes: [] }, plugins: twice, registry: new Registry(), logger: quiet })).toThrow('plugin "copy" declares a route config key "tenant", which plugin "tenants" declares too');
    const broken = { name: 'broken', configKeys: { broken: { type: 'objekt' } }, setup: () => ({}) };
    expect(() => figway({ config: { routes: [] }, plugins: [broken], registry: new Registry(), logger: quiet })).toThrow(/plugin "broken" configKeys.broken is not a JSON Schema figway can use/);
  });
});
