// The admin page's migration map in a real browser (Debian's chromium, headless), over a real Express monolith with figway mounted by app.use.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express, { type Request, type Response } from 'express';
import type { Page } from 'playwright-core';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { MapAnswer } from '../../src/map/map-schema.js';
import { figway } from '../../src/index.js';
import type { FigwayMiddleware } from '../../src/types.js';
import { adminCall } from '../helpers/admin-client.js';
import { CHROMIUM_MISSING, launchChromium, type Chromium } from '../helpers/chromium.js';
import { listen, type Listening } from '../helpers/listen.js';
import { quietLogger } from '../helpers/monolith.js';
import { request } from '../helpers/request.js';
import { startUpstream, type Upstream } from '../helpers/upstream.js';

const TOKEN = 'test-admin-token-0123456789';
const READ_TOKEN = 'test-dashboard-token-0123456789';
const DAY = 86_400_000;

const yaml = (dir: string, upstream: string) => `
admin:
  port: 0
  token: ${TOKEN}
  tokens: [{ name: dashboard, token: ${READ_TOKEN}, role: read }]
state: { store: file, path: ${path.join(dir, 'state.json')} }
reload: { watch: false }
map: { retireAfter: 7d }
routes:
  - id: orders
    match: { path: /api/orders }
    upstream: ${upstream}
    rollout: { percent: 40, sticky: [header:x-user-id] }
  - id: cart
    match: { path: /api/cart }
    upstream: ${upstream}
  - id: profile
    match: { path: /account/profile }
    upstream: ${upstream}
    rollout: { percent: 0 }
  - id: search
    match: { path: /api/search }
    upstream: ${upstream}
    rollout: { percent: 0 }
`;

/** The page's own share format (format.js): 0.2567 → "25.7%". */
const share = (ratio: number | undefined) => (ratio === undefined ? '–' : `${Number((ratio * 100).toFixed(ratio * 100 >= 10 ? 1 : 2))}%`);

describe.skipIf(CHROMIUM_MISSING !== undefined)(CHROMIUM_MISSING ?? 'migration map on the admin page, in chromium', { timeout: 60_000 }, () => {
  let dir: string;
  let service: Upstream;
  let gateway: FigwayMiddleware;
  let monolith: Listening;
  let admin: string;
  let browser: Chromium;
  let page: Page;
  // The gateway's clock: moved a week and a day ahead once the cart route's time at 100% has been recorded.
  let offset = 0;
  const problems: string[] = [];
  // An expression rather than a function: the test is compiled without the DOM library.
  const inPage = (expression: string) => page.evaluate(expression);
  const tile = (key: string) => page.locator(`#map-tiles .tile[data-key="${key}"]`);
  const mapNow = async () => (await adminCall(admin, TOKEN, 'GET', '/map')).json<MapAnswer>();

  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'figway-map-ui-'));
    service = await startUpstream('new-service');
    writeFileSync(path.join(dir, 'figway.yaml'), yaml(dir, service.url));
    const legacy = (name: string) => (_req: Request, res: Response) => res.json({ service: 'legacy', name });
    const app = express();
    // A sub-app mounted before figway: its routes cannot be read, and the map says so.
    const back = express();
    back.get('/users', legacy('back-office'));
    app.use('/back-office', back);
    gateway = figway({ config: path.join(dir, 'figway.yaml'), registry: new Registry(), logger: quietLogger, now: () => Date.now() + offset });
    app.use(gateway);
    app.get('/api/orders/:id', legacy('order'));
    app.post('/api/orders', legacy('create-order'));
    app.get('/account', legacy('account'));
    app.get('/account/profile', legacy('profile'));
    const cart = express.Router();
    cart.get('/', legacy('cart'));
    cart.delete('/items/:item', legacy('remove-item'));
    app.use('/api/cart', cart);
    monolith = await listen(app);
    await gateway.ready;
    admin = gateway.adminUrl as string;

    // The store's history notes the cart route at 100% now; eight days later, with no legacy request, it is ready to retire.
    expect((await mapNow()).endpoints.find((e) => e.path === '/api/cart')).toMatchObject({ state: 'at-100' });
    offset = 8 * DAY;
    // The profile route goes to 100% only now: at 100%, not for long enough.
    expect((await adminCall(admin, TOKEN, 'PUT', '/routes/profile/rollout', { percent: 100 })).status).toBe(200);
    for (let i = 0; i < 20; i++) await request(monolith.url, '/api/orders/7', { headers: { 'x-user-id': `user-${i}` } });
    for (let i = 0; i < 3; i++) await request(monolith.url, '/api/cart');
    await request(monolith.url, '/account');

    browser = await launchChromium();
    page = await browser.context.newPage();
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (err) => problems.push(err.message));
    await page.goto(`${admin}/`);
    // A read-only token sees the map: GET /map is a read like GET /routes.
    await page.fill('#token', READ_TOKEN);
    await page.click('#login-form button[type="submit"]');
    await page.locator('#map-body').waitFor({ state: 'visible' });
  });
  afterAll(async () => {
    await browser?.close();
    await monolith?.close();
    await gateway?.close();
    await service?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('shows the share strangled over the whole monolith, saying it counts requests to routes only', async () => {
    const map = await mapNow();
    const whole = map.areas.find((a) => a.area === '*');
    expect(whole?.strangled).toBeGreaterThan(0);
    expect(whole?.strangled).toBeLessThan(1);
    expect(await page.locator('#map-strangled').innerText()).toBe(share(whole?.strangled));
    expect(await page.locator('#map-counted').innerText()).toBe('of requests to routes only on this replica, last 1 d');
    expect(await page.locator('#map-routes-only').innerText()).toContain('The share counts only requests to routes');
    expect(await inPage(`document.getElementById('map-strangled-bar').style.width`)).toBe(`${Math.round((whole?.strangled ?? 0) * 100)}%`);
  });

  it('shows one row per area with its share and its endpoints per state', async () => {
    const map = await mapNow();
    const rows = page.locator('#map-areas li');
    expect(await rows.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-area')))).toEqual(['account', 'api']);
    const api = (await page.locator('#map-areas li[data-area="api"]').innerText()).replace(/\s+/g, ' ');
    expect(api).toBe(`/api ${share(map.areas.find((a) => a.area === 'api')?.strangled)} 4 endpoints: 2 rolling out, 2 ready to retire`);
    // No request to a route of the account area was counted: no share to show.
    expect((await page.locator('#map-areas li[data-area="account"]').innerText()).replace(/\s+/g, ' ')).toBe('/account – 2 endpoints: 1 legacy only, 1 at 100%');
  });

  it('draws every endpoint as a tile grouped by area, its state in words and mark as well as colour, with a legend of counts', async () => {
    const groups = await page.locator('#map-tiles .map-group').evaluateAll((sections) =>
      sections.map((s) => [s.getAttribute('data-area'), [...s.querySelectorAll('.tile')].map((t) => `${t.getAttribute('data-key')} = ${t.querySelector('.tile-state')?.textContent}`)]),
    );
    expect(groups).toEqual([
      ['account', ['GET /account = ○ legacy only', 'GET /account/profile = ● at 100%']],
      [
        'api',
        ['GET /api/orders/:id = ◐ rolling out 40%', 'POST /api/orders = ◐ rolling out 40%', 'GET /api/cart = ✓ ready to retire', 'DELETE /api/cart/items/:item = ✓ ready to retire'],
      ],
    ]);
    expect(await tile('GET /api/orders/:id').locator('.tile-name').innerText()).toBe('GET /api/orders/:id');
    const legend = await page.locator('#map-legend li').evaluateAll((lis) => lis.map((li) => [li.getAttribute('data-state'), li.textContent?.trim()]));
    expect(legend).toEqual([
      ['legacy-only', '○ legacy only 1'],
      ['rolling-out', '◐ rolling out 2'],
      ['at-100', '● at 100% 1'],
      ['ready-to-retire', '✓ ready to retire 2'],
    ]);
    // Each state has its own colour too.
    const colours = await inPage(`[...document.querySelectorAll('#map-legend .mark')].map((m) => getComputedStyle(m).backgroundColor)`);
    expect(new Set(colours as string[]).size).toBe(4);
  });

  it("tells an endpoint's route, percent and why it cannot be retired yet, in its tooltip and in its detail", async () => {
    expect(await tile('GET /api/orders/:id').getAttribute('title')).toMatch(/^GET \/api\/orders\/:id\nState: rolling out\nRoute: orders\nTo the service: 40%\n[\s\S]*– still at 40%$/);
    expect(await tile('GET /account').getAttribute('title')).toContain('Route: none covers it\n');
    await tile('GET /api/orders/:id').click();
    const detail = page.locator('#map-detail');
    await detail.waitFor({ state: 'visible' });
    expect(await tile('GET /api/orders/:id').getAttribute('aria-expanded')).toBe('true');
    const text = (await detail.innerText()).replace(/\s+/g, ' ');
    for (const part of ['GET /api/orders/:id', 'Route orders', 'To the service 40%', 'Why it cannot be retired yet', 'still at 40%']) expect(text).toContain(part);
    expect(text).toMatch(/Requests service \d+ · legacy \d+ in the last 1 d/);
    // It stays open across the page's refreshes (every 3 s), then closes on a second click.
    await page.waitForTimeout(3500);
    expect(await detail.isVisible()).toBe(true);
    expect(await page.locator('#map-detail .why li').allInnerTexts()).toEqual(['still at 40%']);
    await tile('GET /api/orders/:id').click();
    await detail.waitFor({ state: 'detached' });
    await tile('GET /api/cart').click();
    expect((await page.locator('#map-detail').innerText()).replace(/\s+/g, ' ')).toContain('Ready to retire Nothing keeps its legacy handler: it can be retired.');
    await tile('GET /api/cart').click();
  });

  it('lists new endpoints and the parts of the app figway cannot read', async () => {
    expect((await page.locator('#map-new li[data-route="search"]').innerText()).replace(/\s+/g, ' ')).toBe('/api/search route search · 0% to the service · service 0 · legacy 0 in the last 1 d');
    expect(await page.locator('#map-new-empty').isHidden()).toBe(true);
    expect(await page.locator('#map-hidden-part').isVisible()).toBe(true);
    expect((await page.locator('#map-hidden li').allInnerTexts()).map((t) => t.replace(/\s+/g, ' '))).toEqual(['/back-office — a sub-app mounted before figway: its routes are not visible']);
    expect(await page.locator('#map-notes').innerText()).toBe('');
  });

  it('refreshes with the page: new traffic moves the figures', async () => {
    const before = await page.locator('#map-strangled').innerText();
    for (let i = 0; i < 30; i++) await request(monolith.url, '/api/cart');
    const whole = (await mapNow()).areas.find((a) => a.area === '*');
    expect(share(whole?.strangled)).not.toBe(before);
    await expect.poll(() => page.locator('#map-strangled').innerText(), { timeout: 10_000 }).toBe(share(whole?.strangled));
  });

  it('says when figway is not on an Express app, when the history is unavailable, and when every request is counted', async () => {
    await page.route(`${admin}/map`, async (route) => {
      const response = await route.fetch();
      const map = (await response.json()) as MapAnswer;
      await route.fulfill({ response, json: { ...map, monolith: 'unknown', history: 'unavailable', countLegacy: true, hidden: [] } });
    });
    try {
      await expect.poll(() => page.locator('#map-notes p').count(), { timeout: 10_000 }).toBe(2);
      const notes = await page.locator('#map-notes p').allInnerTexts();
      expect(notes[0]).toContain('figway is not mounted on an Express app');
      expect(notes[0]).toContain('only figway\'s routes are listed');
      expect(notes[1]).toContain('history is unavailable');
      expect(await page.locator('#map-routes-only').isHidden()).toBe(true);
      expect(await page.locator('#map-counted').innerText()).toBe('of requests to the monolith on this replica, last 1 d');
      expect(await page.locator('#map-hidden-part').isHidden()).toBe(true);
    } finally {
      await page.unroute(`${admin}/map`);
    }
  });

  it('shows a failing GET /map in the section only: the rest of the page goes on', async () => {
    await page.route(`${admin}/map`, (route) => route.fulfill({ status: 503, json: { error: { code: 'FIGWAY_STATE_UNAVAILABLE', message: 'the state store did not answer' } } }));
    try {
      await expect.poll(() => page.locator('#map-error').innerText(), { timeout: 10_000 }).toBe('The migration map is unavailable: the state store did not answer');
      expect(await page.locator('#map-body').isHidden()).toBe(true);
      expect(await page.locator('#notice').isHidden()).toBe(true);
      // The routes table and the overview still refresh.
      const updated = await page.locator('#updated').innerText();
      await expect.poll(() => page.locator('#updated').innerText(), { timeout: 10_000 }).not.toBe(updated);
      expect(await page.locator('tr[data-route="orders"]').isVisible()).toBe(true);
    } finally {
      await page.unroute(`${admin}/map`);
    }
    await page.locator('#map-body').waitFor({ state: 'visible', timeout: 10_000 });
    expect(await page.locator('#map-error').isHidden()).toBe(true);
    expect(await page.locator('#map-tiles .tile').count()).toBe(6);
  });

  it('fits a phone without cutting anything off', async () => {
    try {
      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = () => inPage('document.documentElement.scrollWidth - document.documentElement.clientWidth');
      await expect.poll(overflow).toBe(0);
    } finally {
      await page.setViewportSize({ width: 1440, height: 900 });
    }
  });

  it('empties the section on log out, and ran without a script error', async () => {
    await page.click('#logout');
    await page.locator('#login').waitFor({ state: 'visible' });
    expect(await page.locator('#map-tiles .tile').count()).toBe(0);
    expect(await page.locator('#map-body').isHidden()).toBe(true);
    // Only the failure this test provoked may be logged.
    expect(problems.filter((p) => !/status of 503 /.test(p))).toEqual([]);
  });
});
