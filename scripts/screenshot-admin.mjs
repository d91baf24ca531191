// Writes docs/admin-page.png (1440 px wide), docs/admin-page-900.png and docs/admin-page-phone.png (390 px): the admin page with a few routes and live traffic,
// and docs/admin-page-map.png, its migration map section; in Debian's chromium (run `npm run build` first).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { chromium } from 'playwright-core';
import { figway } from '../dist/index.js';

const TOKEN = 'screenshot-token-0123456789';
const SHOTS = [
  { file: 'admin-page.png', width: 1440, height: 900 },
  { file: 'admin-page-900.png', width: 900, height: 900 },
  { file: 'admin-page-phone.png', width: 390, height: 844 },
];
const MAP_SHOT = { file: 'admin-page-map.png', width: 1440, height: 900 };
const DOCS = new URL('../docs/', import.meta.url);
const DAY_MS = 86_400_000;
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// http.get rather than fetch: fetch may not set Host, and the search route matches on it.
function get(url, headers) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers, agent: false }, (res) => res.resume().on('end', resolve)).on('error', reject);
  });
}

function listen(handler) {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve({ server, url: `http://127.0.0.1:${server.address().port}` })));
}

/** A service answering after `ms` (plus jitter), failing `failRate` of requests: the figures then differ by side. */
function service(name, ms, failRate = 0) {
  return listen((req, res) => {
    setTimeout(() => {
      res.statusCode = Math.random() < failRate ? 500 : 200;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ servedBy: name }));
    }, ms * (0.5 + Math.random()));
  });
}

const config = (orders, users, search) => `
admin: { port: 0, token: ${TOKEN} }
state: { store: file, path: state.json }
map: { countLegacy: true }
reload: { watch: false }
upstreams:
  orders-service: { url: ${orders} }
  users-service: { url: ${users} }
  search-engine: { url: ${search} }
cohorts:
  staff: { header: { x-staff: "yes" } }
routes:
  - id: orders
    description: Order history and checkout
    match: { path: /api/orders, methods: [GET, POST] }
    upstream: orders-service
    rollout: { percent: 10, sticky: [header:x-user-id, ip], cohorts: { staff: service } }
    limits: { limit: 600, window: 1m }
  - id: users
    description: Profiles, fully migrated
    match: { path: /api/users/:id }
    upstream: users-service
    rewrite: { stripPrefix: /api }
    auth: none
  - id: search
    description: Product search on the new engine
    match: { path: /api/search, host: [shop.example, www.shop.example] }
    upstream: search-engine
    rollout: { percent: 30, sticky: [header:x-user-id] }
  - id: invoices
    description: Invoices, stepping up with a guard; shadowed to compare
    match: { path: /api/invoices, methods: [GET] }
    upstream: orders-service
    rollout: { steps: [5, 25, 50, 100], minStepTime: 30m, minStepRequests: 200, sticky: [header:x-user-id] }
    shadow: { percent: 50, compare: { ignore: [generatedAt] } }
  - id: catalog
    description: The catalog, all on its service; staff still compare the old pages
    match: { path: /api/catalog }
    upstream: users-service
    rollout: { percent: 100, cohorts: { staff: legacy } }
`;

/** The monolith's own endpoints, for the migration map; any other path is legacy too. */
function monolithRoutes(app, legacy) {
  for (const path of ['/api/orders', '/api/orders/:id', '/api/users/:id', '/api/search', '/api/invoices', '/api/invoices/:id', '/api/payments', '/account', '/account/settings', '/reports/sales', '/reports/:year']) {
    app.get(path, legacy);
  }
  app.post('/api/orders', legacy);
  app.post('/api/payments', legacy);
  const catalog = express.Router();
  catalog.get('/products', legacy);
  catalog.get('/products/:id', legacy);
  app.use('/api/catalog', catalog);
}

async function main() {
  const dir = mkdtempSync(path.join(tmpdir(), 'figway-screenshot-'));
  const services = [await service('orders', 12), await service('users', 8), await service('search', 30, 0.04)];
  writeFileSync(path.join(dir, 'figway.yaml'), config(...services.map((s) => s.url)));
  // The gateway starts two weeks back, so the migration map has routes at 100% that long (ready to retire).
  let skew = -15 * DAY_MS;
  const gateway = figway({ config: path.join(dir, 'figway.yaml'), logger: (await import('pino')).pino({ level: 'silent' }), now: () => Date.now() + skew });
  const app = express();
  app.use(gateway);
  // The monolith is the slower side, as it usually is when a route is worth peeling off.
  const legacy = (req, res) => setTimeout(() => res.json({ servedBy: 'legacy' }), 25 + Math.random() * 60);
  monolithRoutes(app, legacy);
  app.use(legacy);
  const monolith = await listen(app);
  await gateway.ready;
  const admin = gateway.adminUrl;

  const call = (method, p, body, actor, reason) =>
    fetch(`${admin}${p}`, {
      method,
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json', 'x-figway-actor': actor, 'x-figway-reason': encodeURIComponent(reason) },
      body: body && JSON.stringify(body),
    });
  await call('PUT', '/routes/orders/rollout', { percent: 10 }, 'maria', 'first 10% after the staff week');
  await call('PUT', '/routes/orders/rollout', { percent: 40 }, 'maria', 'error rate flat at 10% for a day');
  await call('POST', '/routes/orders/rollback', undefined, 'sam', 'INC-812: checkout 5xx');
  await call('PUT', '/routes/orders/rollout', { percent: 25 }, 'maria', 'INC-812 fixed in orders-service 1.4.2');
  await call('POST', '/kill-switch', { on: true }, 'sam', 'drill');
  await call('POST', '/kill-switch', { on: false }, 'sam', 'drill over');
  // The kill switch is not 100%: the routes at 100% count from the drill's end, two weeks back.
  await fetch(`${admin}/map`, { headers: { authorization: `Bearer ${TOKEN}` } });
  skew = 0;

  await get(`${monolith.url}/api/catalog/products`, { 'x-staff': 'yes' });
  const paths = [['/api/orders'], ['/api/orders'], ['/api/users/7'], ['/api/search?q=figs', 'shop.example'], ['/api/invoices'], ['/account'], ['/reports/2025'], ['/api/catalog/products/3']];
  const traffic = Array.from({ length: 600 }, (_, i) => paths[i % paths.length]);
  for (let i = 0; i < traffic.length; i += 20) {
    await Promise.all(traffic.slice(i, i + 20).map(([p, host], j) => get(`${monolith.url}${p}`, { 'x-user-id': `user-${i + j}`, ...(host ? { host } : {}) })));
  }

  const profile = mkdtempSync(path.join(tmpdir(), 'figway-chromium-'));
  const browser = await chromium.launchPersistentContext(profile, { executablePath: '/usr/bin/chromium', headless: true, args: ARGS, viewport: { width: 1440, height: 900 } });
  try {
    const page = await browser.newPage();
    await page.goto(`${admin}/`);
    await page.fill('#token', TOKEN);
    await page.fill('#actor', 'maria');
    await page.click('#login-form button[type="submit"]');
    await page.locator('tr[data-route="invoices"]').waitFor();
    await page.locator('#audit tbody tr').first().waitFor();
    await page.locator('tr[data-extras="invoices"]').waitFor();
    await page.locator('#map-body').waitFor();
    await sleep(500);
    mkdirSync(DOCS, { recursive: true });
    for (const shot of SHOTS) {
      await page.setViewportSize({ width: shot.width, height: shot.height });
      await sleep(300);
      const out = new URL(shot.file, DOCS).pathname;
      await page.screenshot({ path: out, fullPage: true });
      console.log(`wrote ${out}`);
    }
    await page.setViewportSize({ width: MAP_SHOT.width, height: MAP_SHOT.height });
    await sleep(300);
    const out = new URL(MAP_SHOT.file, DOCS).pathname;
    // Clipped from the whole page: the section is taller than the window, and the page refreshes while a scrolled shot is taken.
    const box = await page.locator('#map').boundingBox();
    await page.screenshot({ path: out, fullPage: true, clip: box });
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
    rmSync(profile, { recursive: true, force: true });
    monolith.server.closeAllConnections();
    monolith.server.close();
    for (const s of services) s.server.close();
    await gateway.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
